"""Replay-safe finalizing, black-box through the tablet simulator.

A finalizing upload commits but its acknowledgement is lost: the tablet keeps
its records and uploads them again.  copse must recognise the task, ancillary
and BLOB records it already preserved for that device and not store them
again; patients and ID numbers too when the replay finalizes them and no
stored record needs them (a tablet that keeps its patients still works); the
audit says how many replays per table; the tablet then wipes as usual.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from typing import Any

import pytest
import sqlalchemy as sa

from copse.schema.registry import TABLES
from copse.schema.tables import CLIENT_TABLES
from copse.sync import force_finalize
from tests.support import upload_checks as uc
from tests.support.databases import Backend
from tests.support.tablet import Tablet, nhs_number
from tests.support.upload_fixtures import TabletFactory

TASK_TABLES = ("phq9", "photosequence", "photosequence_photos", "blobs")
PATIENT_TABLES = ("patient", "patient_idnum")
ALL = tuple(sorted(TABLES))


def fill(tab: Tablet, seed: int, n_tasks: int = 3) -> int:
    """A patient (NHS number) with PHQ-9s and a photo sequence with two photos (BLOBs)."""
    pid = tab.add_patient(nhs=nhs_number(seed), forename=f"P{seed}")
    for i in range(n_tasks):
        tab.create("phq9", patient_id=pid, q1=i % 4, q2=1, q3=2)
    seq = tab.create("photosequence", patient_id=pid, sequence_description="s")
    for i in range(2):
        ph = tab.create("photosequence_photos", photosequence_id=seq, seqnum=i + 1)
        tab.add_blob("photosequence_photos", ph, "photo_blobid", bytes([seed % 256, i]) * 300)
    return pid


def stored_versions(
    db: Backend, dev: int, tables: tuple[str, ...] = TASK_TABLES
) -> Counter[tuple[Any, ...]]:
    """(table, client id, instant) -> number of stored rows of the device, any era or state."""
    c: Counter[tuple[Any, ...]] = Counter()
    with db.engine.connect() as conn:
        for name in tables:
            t = CLIENT_TABLES[name]
            for cid, wlm in conn.execute(
                sa.select(t.c.id, t.c.when_last_modified).where(t.c._device_id == dev)
            ):
                c[(name, int(cid), uc.instant(wlm))] += 1
    return c


def replay_counts(audit: str) -> dict[str, int]:
    return {
        m.group(1): int(m.group(2))
        for m in re.finditer(r"(\w+) \([^()]*?(\d+) recognised as replays, not stored again", audit)
    }


def lose_ack(tab: Tablet, method: str, onestep: bool) -> None:
    """Run the upload, but the reply to its committing request never arrives."""
    last = "upload_entire_database" if onestep else "end_upload"
    out = tab.upload(method, onestep=onestep, abandon_after=last)  # type: ignore[arg-type]
    assert out.abandoned, out.error


def tablet_for(uploader: TabletFactory, method: str) -> tuple[Tablet, str]:  # noqa: F811
    tab = uploader()
    pid = fill(tab, 7)
    if method == "copy_flagged":
        tab.set_move_off("patient", pid)  # the client propagates it to tasks, photos, BLOBs
        return tab, "copy"
    return tab, method


@pytest.mark.parametrize("onestep", [True, False], ids=["onestep", "stepwise"])
@pytest.mark.parametrize("method", ["move", "move_keeping_patients", "copy_flagged"])
def test_lost_acknowledgement_is_not_stored_twice(
    db: Backend,
    uploader: TabletFactory,  # noqa: F811
    method: str,
    onestep: bool,
) -> None:
    tab, how = tablet_for(uploader, method)
    dev = uc.device_id(db.engine, tab.device)
    n_tasks = {t: len(tab.db[t]) for t in TASK_TABLES}
    n_patients = {t: len(tab.db[t]) for t in PATIENT_TABLES}
    lose_ack(tab, how, onestep)
    first = stored_versions(db, dev)
    first_patients = stored_versions(db, dev, PATIENT_TABLES)
    assert sum(first_patients.values()) == sum(n_patients.values())
    assert sum(first.values()) == sum(n_tasks.values()) and max(first.values()) == 1
    with db.engine.connect() as conn:
        eras = conn.execute(
            sa.text("SELECT last_finalizing_eras FROM _security_devices WHERE id=:d"), {"d": dev}
        ).scalar()
    assert eras and len(eras.split()) == 1

    out = tab.upload(how, onestep=onestep)  # type: ignore[arg-type]
    assert out.ok, out.error
    # No task, photo or BLOB is stored twice.
    assert stored_versions(db, dev) == first
    # Nor a patient or ID number (issue 12): no orphan copy in a new era.
    assert stored_versions(db, dev, PATIENT_TABLES) == first_patients
    audit = uc.upload_audits(db.engine)[-1]
    assert replay_counts(audit) == n_tasks | n_patients, audit
    assert not uc.check_invariants(db.engine, ALL)
    # The tablet ends clean, as after any successful upload of this method.
    left = {t for t, rows in tab.db.items() if rows}
    assert left == ({"patient", "patient_idnum"} if method == "move_keeping_patients" else set())
    # Nothing of the device is live on the server.
    now = uc.current_by_era(db.engine, dev, ALL).get("NOW", {})
    assert not any(now.get(t) for t in ALL), now


@pytest.mark.parametrize("onestep", [True, False], ids=["onestep", "stepwise"])
def test_two_lost_acknowledgements_in_a_row(
    db: Backend,
    uploader: TabletFactory,  # noqa: F811
    onestep: bool,
) -> None:
    """The second attempt finds only replays; a third attempt must still recognise
    the tasks and patients of the first."""
    tab, how = tablet_for(uploader, "move")
    dev = uc.device_id(db.engine, tab.device)
    lose_ack(tab, how, onestep)
    first = stored_versions(db, dev)
    first_patients = stored_versions(db, dev, PATIENT_TABLES)
    lose_ack(tab, how, onestep)
    assert stored_versions(db, dev) == first
    out = tab.upload(how, onestep=onestep)  # type: ignore[arg-type]
    assert out.ok, out.error
    assert stored_versions(db, dev) == first
    assert stored_versions(db, dev, PATIENT_TABLES) == first_patients
    assert not any(tab.db.values())


@pytest.mark.parametrize("onestep", [True, False], ids=["onestep", "stepwise"])
@pytest.mark.parametrize("second", ["move_keeping_patients", "move", "copy"])
def test_kept_patients_are_stored_again_when_new_tasks_need_them(
    db: Backend,
    uploader: TabletFactory,  # noqa: F811
    onestep: bool,
    second: str,
) -> None:
    """Move keeping patients (acknowledged), new tasks, upload again: the kept patient
    and its ID number are stored again with the new tasks, in the same era."""
    tab = uploader()
    pid = fill(tab, 11)
    dev = uc.device_id(db.engine, tab.device)
    assert tab.upload("move_keeping_patients", onestep=onestep).ok
    assert set(t for t, rows in tab.db.items() if rows) == set(PATIENT_TABLES)
    before = stored_versions(db, dev, PATIENT_TABLES)
    tab.create("phq9", patient_id=pid, q1=2, q2=3, q3=3)
    out = tab.upload(second, onestep=onestep)  # type: ignore[arg-type]
    assert out.ok, out.error
    after = stored_versions(db, dev, PATIENT_TABLES)
    # One more stored version of the patient and of its ID number.
    assert set(after) == set(before) and all(n == 2 for n in after.values()), after
    assert "recognised as replays" not in uc.upload_audits(db.engine)[-1]
    assert not uc.check_invariants(db.engine, ALL)
    # The new task and the patient share an era.
    t, p = CLIENT_TABLES["phq9"], CLIENT_TABLES["patient"]
    with db.engine.connect() as conn:
        task_era = conn.execute(
            sa.select(t.c._era).where(t.c._device_id == dev, t.c.q2 == 3)
        ).scalar_one()
        patient_eras = set(
            conn.execute(sa.select(p.c._era).where(p.c._device_id == dev, p.c.id == pid)).scalars()
        )
    assert task_era in patient_eras


@pytest.mark.parametrize("onestep", [True, False], ids=["onestep", "stepwise"])
def test_kept_patients_alone_follow_the_normal_rules_on_copy(
    db: Backend,
    uploader: TabletFactory,  # noqa: F811
    onestep: bool,
) -> None:
    """A plain Copy of kept patients is not a finalizing upload: stored as usual."""
    tab = uploader()
    fill(tab, 12)
    dev = uc.device_id(db.engine, tab.device)
    assert tab.upload("move_keeping_patients", onestep=onestep).ok
    before = stored_versions(db, dev, PATIENT_TABLES)
    out = tab.upload("copy", onestep=onestep)
    assert out.ok, out.error
    after = stored_versions(db, dev, PATIENT_TABLES)
    assert set(after) == set(before) and all(n == 2 for n in after.values()), after
    now = uc.current_by_era(db.engine, dev, ALL).get("NOW", {})
    assert now.get("patient") and now.get("patient_idnum"), now


def test_new_and_edited_records_after_lost_ack_are_stored(
    db: Backend,
    uploader: TabletFactory,  # noqa: F811
) -> None:
    tab, _ = tablet_for(uploader, "move")
    dev = uc.device_id(db.engine, tab.device)
    lose_ack(tab, "move", True)
    first = stored_versions(db, dev)
    edited = min(tab.db["phq9"])
    tab.edit("phq9", edited, q1=3)  # a changed record is a new version: stored
    new = tab.create("phq9", patient_id=min(tab.db["patient"]), q1=1)
    out = tab.upload("move", onestep=False)
    assert out.ok, out.error
    after = stored_versions(db, dev)
    extra = after - first
    assert sorted((k[0], k[1]) for k in extra) == [("phq9", edited), ("phq9", new)]
    counts = replay_counts(uc.upload_audits(db.engine)[-1])
    assert counts["phq9"] == 2 and counts["blobs"] == 2


@pytest.mark.parametrize("onestep", [True, False], ids=["onestep", "stepwise"])
def test_force_finalized_device_later_upload_creates_new_records(
    db: Backend,
    uploader: TabletFactory,  # noqa: F811
    onestep: bool,
) -> None:
    """Reference behaviour kept: an administrator's era never counts for replays."""
    tab = uploader()
    fill(tab, 9)
    dev = uc.device_id(db.engine, tab.device)
    assert tab.upload("copy", onestep=onestep).ok
    first = stored_versions(db, dev)
    admin, when = (
        uc.user_id(db.engine, "alice"),
        datetime.datetime.now(datetime.UTC).replace(tzinfo=None),
    )
    with db.engine.begin() as conn:
        force_finalize(conn, dev, admin, when)
    with db.engine.connect() as conn:
        assert (
            conn.execute(
                sa.text("SELECT last_finalizing_eras FROM _security_devices WHERE id=:d"),
                {"d": dev},
            ).scalar()
            is None
        )
    out = tab.upload("copy", onestep=onestep)
    assert out.ok, out.error
    after = stored_versions(db, dev)
    assert set(after) == set(first) and all(n == 2 for n in after.values())
    assert "replays" not in uc.upload_audits(db.engine)[-1]


def test_force_finalize_does_not_replace_the_tablets_era(
    db: Backend,
    uploader: TabletFactory,  # noqa: F811
) -> None:
    tab, _ = tablet_for(uploader, "move")
    dev = uc.device_id(db.engine, tab.device)
    lose_ack(tab, "move", True)
    with db.engine.connect() as conn:
        before = conn.execute(
            sa.text("SELECT last_finalizing_eras FROM _security_devices WHERE id=:d"), {"d": dev}
        ).scalar()
    admin, when = (
        uc.user_id(db.engine, "alice"),
        datetime.datetime.now(datetime.UTC).replace(tzinfo=None),
    )
    with db.engine.begin() as conn:
        force_finalize(conn, dev, admin, when)
    with db.engine.connect() as conn:
        assert (
            conn.execute(
                sa.text("SELECT last_finalizing_eras FROM _security_devices WHERE id=:d"),
                {"d": dev},
            ).scalar()
            == before
        )
    first = stored_versions(db, dev)
    assert tab.upload("move", onestep=True).ok
    assert stored_versions(db, dev) == first


def test_audit_text_unchanged_without_replays(db: Backend, uploader: TabletFactory) -> None:  # noqa: F811
    """A normal upload's audit is exactly the reference text (derived independently)."""
    from tests.support.upload_fixtures import checked_upload

    tab = uploader()
    fill(tab, 3)
    checked_upload(db, tab, "move", True)
    fill(tab, 4)
    checked_upload(db, tab, "move", False)
