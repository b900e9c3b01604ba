"""``validate_patients`` over HTTP against several ID policies (wire.md §3.9)."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.support.api import Reply, post
from tests.support.server import ServerProcess

DEVICE = "tablet-validate-1"
NHS = 9434765919


def call(
    server: ServerProcess, http: httpx.Client, site: dict[str, str], operation: str, **extra: str
) -> Reply:
    fields = {
        "operation": operation,
        "camcops_version": "2.4.24",
        "device": DEVICE,
        "user": site["user"],
        "password": site["password"],
        **extra,
    }
    return post(http, server.api_url, fields)


def validate(
    server: ServerProcess, http: httpx.Client, site: dict[str, str], patients: object
) -> Reply:
    return call(server, http, site, "validate_patients", patient_info=json.dumps(patients))


@pytest.fixture
def registered(
    server: ServerProcess, http: httpx.Client, site: dict[str, str], cli
) -> dict[str, str]:
    cli("idnum", "add", "2", "--description", "RiO number", "--short-description", "RiO")
    r = call(server, http, site, "register")
    assert r.ok, r.text
    return site


def bloggs(**kw: object) -> dict[str, object]:
    p: dict[str, object] = {
        "address": None,
        "dob": "1980-02-29",
        "email": None,
        "finalizing": False,
        "forename": "JO",
        "gp": None,
        "idnum1": NHS,
        "other": None,
        "sex": "F",
        "surname": "BLOGGS",
    }
    p.update(kw)
    return p


BLOGGS_TEXT = (
    "Patient(forename='JO', surname='BLOGGS', sex='F', DOB=1980-02-29, address=None, "
    "email=None, gp=None, otherdetails=None, idnums=[idnum1=9434765919])"
)


def test_policies_accept_and_refuse(
    server: ServerProcess, http: httpx.Client, registered: dict[str, str], cli
) -> None:
    site = registered
    # No policies at all: nothing can pass.
    cli("group", "set-policy", "ward1", "--upload", "", "--finalize", "")
    r = validate(server, http, site, [bloggs()])
    assert not r.ok and r.error == f"Invalid patient: {BLOGGS_TEXT} -> Fails upload ID policy"
    cli(
        "group",
        "set-policy",
        "ward1",
        "--upload",
        "sex AND anyidnum",
        "--finalize",
        "sex AND forename AND surname AND dob AND idnum1",
    )
    r = validate(server, http, site, [bloggs(), bloggs(idnum1=None, idnum2=5, surname=None)])
    assert not r.ok  # idnum1: null is a bad ID number, before any policy
    assert r.error == "Bad ID number: IdNumReference(idnum_value=None, which_idnum=1)"
    no_nhs = {k: v for k, v in bloggs(idnum2=5).items() if k != "idnum1"}
    r = validate(server, http, site, [bloggs(), no_nhs])
    assert r.ok and r.data["result"] == "Success", r.text
    r = validate(server, http, site, [bloggs(finalizing=True), dict(no_nhs, finalizing=True)])
    assert not r.ok
    assert r.error.endswith("idnums=[idnum2=5]) -> Fails finalizing ID policy")
    cli("group", "set-policy", "ward1", "--upload", "sex AND idnum1")
    r = validate(server, http, site, [no_nhs])
    assert r.error.endswith("-> Fails upload ID policy")
    r = validate(server, http, site, [])
    assert r.ok and r.data["result"] == "Success"


@pytest.mark.parametrize(
    "patient_info, error",
    [
        (None, "Must provide the variable: patient_info"),
        ("{not json", "Bad JSON for key 'patient_info'"),
        ('{"a": 1}', "Top-level JSON is not a list"),
        ("[1]", "Patient JSON is not a dict"),
        ("[{}]", "Patient JSON is empty"),
        ('[{"sex": "Q"}]', "Bad sex value: 'Q'"),
        ('[{"sex": "F", "idnum9": 5, "finalizing": false}]', "Bad ID number type: 9"),
        ('[{"sex": "F", "idnum1": 5}]', "Missing 'finalizing' JSON key"),
        ('[{"sex": "F", "finalizing": 1}]', "Bad 'finalizing' value: 1"),
        ('[{"colour": "red"}]', "Unknown JSON key: 'colour'"),
    ],
)
def test_messages(
    server: ServerProcess,
    http: httpx.Client,
    registered: dict[str, str],
    patient_info: str | None,
    error: str,
) -> None:
    extra = {} if patient_info is None else {"patient_info": patient_info}
    r = call(server, http, registered, "validate_patients", **extra)
    assert r.status == 200 and not r.ok and r.error == error


def test_needs_upload_rights_and_registered_device(
    server: ServerProcess, http: httpx.Client, site: dict[str, str], cli
) -> None:
    r = validate(server, http, site, [])
    assert r.error == "Unregistered device"
    cli("user", "add", "viewer", "--password", "viewer-password-1", "--group", "ward1")
    r = post(
        http,
        server.api_url,
        {
            "operation": "validate_patients",
            "camcops_version": "2.4.24",
            "device": DEVICE,
            "user": "viewer",
            "password": "viewer-password-1",
            "patient_info": "[]",
        },
    )
    assert r.error == "User not authorized to upload to selected group"
