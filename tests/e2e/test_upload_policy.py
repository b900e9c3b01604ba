"""Upload-time ID-policy enforcement over real HTTP (beyond the reference).

The reference only checks patients when the tablet asks (``validate_patients``),
so a modified client could upload anything.  These tablets lie to
``validate_patients`` (they send an empty list) and the server must still
refuse the upload, with both methods, leaving the stored data unchanged.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from copse.schema.registry import COMMIT_ORDER
from copse.schema.tables import CLIENT_TABLES
from tests.support.api import post
from tests.support.databases import Backend
from tests.support.server import ServerProcess
from tests.support.tablet import Tablet

NHS = 9434765919


def committed(db: Backend) -> dict[str, list[tuple[Any, ...]]]:
    """Every non-pending row of every client table: what users of the data see."""
    out = {}
    with db.engine.connect() as conn:
        for name in COMMIT_ORDER:
            t = CLIENT_TABLES[name]
            rows = conn.execute(
                sa.select(t).where(t.c._addition_pending == sa.false()).order_by(t.c._pk)
            ).all()
            out[name] = [tuple(r) for r in rows]
    return out


def lie_to_validate_patients(tablet: Tablet) -> None:
    def hook(op: str, fields: dict[str, str]) -> None:
        if op == "validate_patients":
            fields["patient_info"] = "[]"

    tablet.before_request.append(hook)


@pytest.fixture
def enforcing(cli, uploader) -> Any:  # noqa: F811
    cli("group", "set-policy", "ward1", "--check-on-upload")
    return uploader


@pytest.mark.parametrize("onestep", [False, True], ids=["stepwise", "onestep"])
def test_patient_failing_upload_policy_is_refused(enforcing, db: Backend, onestep: bool) -> None:
    good = enforcing()
    pid = good.add_patient(nhs=NHS)
    good.create("phq9", patient_id=pid, q1=1)
    assert good.upload("copy", onestep=onestep).ok

    bad = enforcing()
    lie_to_validate_patients(bad)
    pid = bad.add_patient(nhs=None, sex=None)  # no sex: fails "sex AND (...)"
    bad.create("phq9", patient_id=pid, q1=2)
    before = committed(db)
    out = bad.upload("copy", onestep=onestep)
    assert not out.ok
    assert out.error is not None
    assert "does not satisfy the upload ID policy of group ward1" in out.error
    assert "patient with client id 1" in out.error
    assert committed(db) == before

    # Fixing the patient lets the same tablet upload; nothing stays pending.
    bad.edit("patient", pid, sex="M")
    assert bad.upload("copy", onestep=onestep).ok
    with db.engine.connect() as conn:
        t = CLIENT_TABLES["phq9"]
        assert (
            conn.execute(
                sa.select(sa.func.count()).select_from(t).where(t.c._current == sa.true())
            ).scalar()
            == 2
        )
        for name in COMMIT_ORDER:
            t = CLIENT_TABLES[name]
            assert (
                conn.execute(
                    sa.select(sa.func.count())
                    .select_from(t)
                    .where(
                        sa.or_(
                            t.c._addition_pending == sa.true(), t.c._removal_pending == sa.true()
                        )
                    )
                ).scalar()
                == 0
            )


@pytest.mark.parametrize("onestep", [False, True], ids=["stepwise", "onestep"])
def test_finalizing_uses_the_finalize_policy(enforcing, cli, db: Backend, onestep: bool) -> None:
    # FINALIZE_POLICY of the upload fixtures needs idnum1: a patient without one may be
    # copied but not moved.
    t = enforcing()
    lie_to_validate_patients(t)
    pid = t.add_patient(nhs=None)
    t.create("phq9", patient_id=pid, q1=1)
    assert t.upload("copy", onestep=onestep).ok
    before = committed(db)
    out = t.upload("move", onestep=onestep)
    assert not out.ok and "finalize ID policy" in (out.error or "")
    assert committed(db) == before


def test_upload_changing_nothing_commits_without_a_policy_check(
    enforcing, cli, db: Backend
) -> None:
    """A stepwise upload that changes nothing commits nothing, so the commit's
    patient check is not needed (perf); the first change is checked again."""
    cli("group", "set-policy", "ward1", "--no-check-on-upload")
    t = enforcing()
    lie_to_validate_patients(t)
    pid = t.add_patient(nhs=None, sex=None)  # breaks the upload policy
    task = t.create("phq9", patient_id=pid, q1=1)
    assert t.upload("copy").ok
    cli("group", "set-policy", "ward1", "--check-on-upload")
    before = committed(db)
    assert t.upload("copy").ok
    assert committed(db) == before
    t.edit("phq9", task, q1=2)
    out = t.upload("copy")
    assert not out.ok and "does not satisfy the upload ID policy" in (out.error or "")
    phq9 = CLIENT_TABLES["phq9"]
    with db.engine.connect() as conn:
        current = conn.execute(sa.select(phq9.c.q1).where(phq9.c._current == sa.true())).all()
    assert [tuple(r) for r in current] == [(1,)]


def test_switch_off_restores_reference_behaviour(enforcing, cli) -> None:
    cli("group", "set-policy", "ward1", "--no-check-on-upload")
    t = enforcing()
    lie_to_validate_patients(t)
    t.add_patient(nhs=None, sex=None)
    assert t.upload("copy").ok


def test_restricted_user_only_uploads_own_patient(
    server: ServerProcess, http: httpx.Client, site: dict[str, str], cli, db: Backend
) -> None:
    cli(
        "group",
        "set-policy",
        "ward1",
        "--upload",
        "sex AND idnum1",
        "--finalize",
        "sex AND idnum1",
        "--check-on-upload",
    )
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
    device = "{0000aaaa-0000-0000-0000-00000000beef}"
    r = post(
        http,
        server.api_url,
        {
            "operation": "register_patient",
            "camcops_version": "2.4.24",
            "device": device,
            "patient_proquint": key,
        },
    )
    assert r.ok, r.text
    tablet = Tablet(server.api_url, r.data["user"], r.data["password"], device=device, http=http)
    tablet.register()
    pid = tablet.add_patient(nhs=NHS, forename="Jo", surname="Bloggs")
    tablet.create("phq9", patient_id=pid, q1=0)
    assert tablet.upload("copy").ok

    other = 9876543210
    lie_to_validate_patients(tablet)
    pid2 = tablet.add_patient(nhs=other, forename="Someone", surname="Else")
    tablet.create("phq9", patient_id=pid2, q1=3)
    before = committed(db)
    out = tablet.upload("copy")
    assert not out.ok
    assert "may only upload data for their own patient" in (out.error or "")
    assert committed(db) == before
