"""Single-patient mode end to end (wire.md §3.5, §3.7, §6.4; policies.md §5).

A clinician creates the patient and its schedule with the CLI; the patient's
tablet registers with only the access key, then runs the registration chain
with the generated credentials, fetches its schedules and may upload.
"""

from __future__ import annotations

import json
import re
import string

import httpx
import pytest
import sqlalchemy as sa

from copse.policy.proquint import uuid_to_proquint
from copse.schema.tables import memberships, patient_task_schedule, users
from tests.support.api import Reply, post
from tests.support.server import ServerProcess

DEVICE = "{3f2a9c1e-5b7d-4e2a-9c1e-000000000001}"
NHS = 9434765919
FRIENDLY = "There is no patient with access key '{}'. Have you entered the key correctly?"


def api(server: ServerProcess, http: httpx.Client, operation: str, **extra: str) -> Reply:
    fields = {"operation": operation, "camcops_version": "2.4.24", "device": DEVICE, **extra}
    return post(http, server.api_url, fields)


@pytest.fixture
def clinic(cli, site: dict[str, str]) -> dict[str, str]:
    cli(
        "group",
        "set-policy",
        "ward1",
        "--upload",
        "sex AND idnum1",
        "--finalize",
        "sex AND surname AND idnum1",
    )
    cli("group", "set-ip-use", "ward1", "--clinical", "--research")
    out = cli(
        "patient",
        "add",
        "--group",
        "ward1",
        "--forename",
        "Jo",
        "--surname",
        "Bloggs",
        "--dob",
        "1980-02-29",
        "--sex",
        "F",
        "--idnum",
        f"1={NHS}",
    )
    key = re.search(r"Access key: (\S+)", out).group(1)  # type: ignore[union-attr]
    pk = re.search(r"server PK (\d+)", out).group(1)  # type: ignore[union-attr]
    out = cli("schedule", "add", "Weekly PHQ-9", "--group", "ward1")
    sid = re.search(r"task schedule (\d+)", out).group(1)  # type: ignore[union-attr]
    cli("schedule", "item-add", sid, "--table", "phq9", "--due-from", "0", "--due-within", "7")
    cli("schedule", "item-add", sid, "--table", "bmi", "--due-from", "30", "--due-within", "8")
    cli(
        "schedule",
        "assign",
        "--patient",
        key,
        "--schedule",
        sid,
        "--start",
        "2024-01-01T12:00:00Z",
        "--settings",
        '{"phq9": {"name": "value"}}',
    )
    return {"key": key, "pk": pk}


PATIENT_INFO = (
    '[{"surname": "Bloggs", "forename": "Jo", "sex": "F", "dob": "1980-02-29", '
    '"email": null, "address": null, "gp": null, "other": null, '
    f'"idnum1": {NHS}}}]'
)


def test_cli_lists_the_patient(cli, clinic: dict[str, str]) -> None:
    out = cli("patient", "list")
    assert out.split("\t")[-1].strip() == clinic["key"]
    assert "idnum1=9434765919" in out
    out = cli("schedule", "list", "--group", "ward1")
    assert "phq9\tdue_from=0\tdue_within=7" in out and "bmi\tdue_from=30\tdue_within=8" in out


def test_registration_schedules_and_upload_rights(
    server: ServerProcess, http: httpx.Client, clinic: dict[str, str], db
) -> None:
    r = api(server, http, "register_patient", patient_proquint=clinic["key"])
    assert r.ok, r.text
    assert list(r.data) == [
        "patient_info",
        "user",
        "password",
        "ip_use_info",
        "success",
        "session_id",
        "session_token",
    ]
    assert r.data["patient_info"] == PATIENT_INFO
    assert r.data["user"] == f"user-{DEVICE}-{clinic['pk']}"
    password = r.data["password"]
    alphabet = set(string.ascii_letters + string.digits + string.punctuation)
    assert len(password) == 32 and set(password) <= alphabet
    assert r.data["ip_use_info"] == (
        '{"ip_use_commercial": 0, "ip_use_clinical": 1, '
        '"ip_use_educational": 0, "ip_use_research": 1}'
    )
    # No username and no session yet: CamCOPS answers session_id:None (wire.md §2.2).
    assert r.data["session_id"] == "None"
    creds = {
        "user": r.data["user"],
        "password": password,
        "session_id": r.data["session_id"],
        "session_token": r.data["session_token"],
    }
    with db.engine.connect() as conn:
        u = conn.execute(sa.select(users).where(users.c.username == creds["user"])).one()
        assert u.auto_generated and not u.superuser and u.single_patient_pk == int(clinic["pk"])
        m = conn.execute(sa.select(memberships).where(memberships.c.user_id == u.id)).all()
        assert len(m) == 1 and m[0].group_id == u.upload_group_id
        assert m[0].may_upload and m[0].may_register_devices and not m[0].groupadmin

    # The client's registration chain with the new credentials (wire.md §6.4).
    for op in ("register", "get_allowed_tables", "get_extra_strings"):
        r = api(server, http, op, **creds)
        assert r.ok, (op, r.text)
    r = api(server, http, "get_task_schedules", patient_proquint=clinic["key"], **creds)
    assert r.ok, r.text
    assert r.data["patient_info"] == PATIENT_INFO
    assert json.loads(r.data["task_schedules"]) == [
        {
            "task_schedule_name": "Weekly PHQ-9",
            "task_schedule_items": [
                {
                    "table": "phq9",
                    "anonymous": False,
                    "settings": {"name": "value"},
                    "due_from": "2024-01-01T12:00:00+00:00",
                    "due_by": "2024-01-08T12:00:00+00:00",
                    "complete": False,
                    "when_completed": None,
                },
                {
                    "table": "bmi",
                    "anonymous": False,
                    "settings": {},
                    "due_from": "2024-01-31T12:00:00+00:00",
                    "due_by": "2024-02-08T12:00:00+00:00",
                    "complete": False,
                    "when_completed": None,
                },
            ],
        }
    ]
    assert r.data["task_schedules"].startswith('[{"task_schedule_name": "Weekly PHQ-9", ')

    # Upload rights, restricted to the patient's own details.
    r = api(server, http, "check_upload_user_and_device", **creds)
    assert r.ok and r.data["result"] == "check_upload_user_and_device", r.text
    own = {
        "address": None,
        "dob": "1980-02-29",
        "email": None,
        "finalizing": True,
        "forename": "Jo",
        "gp": None,
        "idnum1": NHS,
        "other": None,
        "sex": "F",
        "surname": "Bloggs",
    }
    r = api(server, http, "validate_patients", patient_info=json.dumps([own]), **creds)
    assert r.ok and r.data["result"] == "Success", r.text
    other = dict(own, idnum1=9876543210)
    r = api(server, http, "validate_patients", patient_info=json.dumps([other]), **creds)
    assert not r.ok and r.error.endswith(
        " -> Should be Patient(forename='Jo', surname='Bloggs', sex='F', DOB=1980-02-29, "
        "address=None, email=None, gp=None, otherdetails=None, idnums=[idnum1=9434765919])"
    )

    # Registering again resets the password: the old one stops working.
    r = api(server, http, "register_patient", patient_proquint=clinic["key"])
    assert r.ok and r.data["user"] == creds["user"] and r.data["password"] != password
    r = api(server, http, "check_upload_user_and_device", user=creds["user"], password=password)
    assert r.error == "Invalid username/password (or user not authorized)"


def test_missing_start_is_set_once(
    server: ServerProcess, http: httpx.Client, cli, clinic: dict[str, str], site: dict[str, str], db
) -> None:
    out = cli("schedule", "add", "Open", "--group", "ward1")
    sid = re.search(r"task schedule (\d+)", out).group(1)  # type: ignore[union-attr]
    cli("schedule", "item-add", sid, "--table", "phq9", "--due-within", "3")
    cli("schedule", "assign", "--patient", clinic["pk"], "--schedule", sid)
    creds = {"user": site["user"], "password": site["password"]}
    r = api(server, http, "get_task_schedules", patient_proquint=clinic["key"], **creds)
    assert r.ok, r.text
    first = json.loads(r.data["task_schedules"])[1]["task_schedule_items"][0]["due_from"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00Z", first)
    with db.engine.connect() as conn:
        starts = (
            conn.execute(
                sa.select(patient_task_schedule.c.start_datetime).order_by(
                    patient_task_schedule.c.id
                )
            )
            .scalars()
            .all()
        )
    assert starts[0] == "2024-01-01T12:00:00.000000+00:00"
    assert starts[1] is not None and starts[1].endswith(":00.000000+00:00")


def test_bad_access_keys(
    server: ServerProcess, http: httpx.Client, clinic: dict[str, str], site: dict[str, str]
) -> None:
    key = clinic["key"]
    wrong_check = key[:-1] + ("b" if key[-1] != "b" else "d")
    unknown = uuid_to_proquint(__import__("uuid").UUID(int=12345))
    for bad in (
        wrong_check,
        key.upper(),
        "JxW-!",
        "a" * 200,
        key + "-babab",
        unknown,
        "kidil-sovib-dufob-hivol-nutab-linuj-kivad-nozov",
    ):
        for op, creds in (
            ("register_patient", {}),
            ("get_task_schedules", {"user": site["user"], "password": site["password"]}),
        ):
            r = api(server, http, op, patient_proquint=bad, **creds)
            assert r.status == 200 and not r.ok and r.error == FRIENDLY.format(bad), (
                op,
                bad,
                r.text,
            )
    r = api(server, http, "register_patient")
    assert r.error == "Must provide the variable: patient_proquint"


def test_patient_without_id_numbers_is_a_server_error(
    server: ServerProcess, http: httpx.Client, cli, site: dict[str, str]
) -> None:
    cli(
        "group",
        "set-policy",
        "ward1",
        "--finalize",
        "sex AND forename AND surname AND dob AND email",
    )
    out = cli(
        "patient",
        "add",
        "--group",
        "ward1",
        "--forename",
        "No",
        "--surname",
        "Body",
        "--dob",
        "1990-01-01",
        "--email",
        "no@body.example",
        "--sex",
        "X",
    )
    key = re.search(r"Access key: (\S+)", out).group(1)  # type: ignore[union-attr]
    r = api(server, http, "register_patient", patient_proquint=key)
    assert r.status == 503
    assert r.text.startswith("success:0\nerror:Patient has no ID numbers\nsession_id:")


def test_cli_refuses_patients_failing_finalize_policy(cli, site: dict[str, str]) -> None:
    cli("group", "set-policy", "ward1", "--upload", "", "--finalize", "")
    out = cli("patient", "add", "--group", "ward1", "--sex", "F", "--idnum", f"1={NHS}", ok=False)
    assert (
        "Patient would not meet 'finalize' ID policy for group: ward1! [That policy is: '']" in out
    )
    out = cli("patient", "add", "--group", "ward1", "--sex", "F", "--idnum", "1=123", ok=False)
    assert "For ID type 1, ID number 123 is invalid: Invalid UK NHS number" in out
    out = cli("schedule", "item-add", "999", "--table", "phq9", "--due-within", "1", ok=False)
    assert "No such task schedule: 999" in out
