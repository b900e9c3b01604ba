"""The seed's manual upload test procedure, automated (seed client_api.txt).

Each scenario runs once with the stepwise method and once with the one-step
method, through the tablet simulator over real HTTP.  After every upload we
check, independently of the engine: one new audit entry whose text is exactly
what the row changes imply (data-model.md §5.8, §12.2), the counts the seed
lists, the lifecycle invariants, and the rows' ``_current``/``_era``/links.

Force-finalize is a web action; where the procedure needs it we call the
engine's function directly if it exists (and skip the rest otherwise).
"""

from __future__ import annotations

import datetime

import pytest

from copse.sync.finalize import force_finalize as engine_force_finalize
from tests.support import upload_checks as uc
from tests.support.databases import Backend
from tests.support.tablet import Tablet, nhs_number
from tests.support.upload_fixtures import (
    TabletFactory,
    assert_now_matches_tablet,
    checked_upload,
)

METHODS = [pytest.param(False, id="stepwise"), pytest.param(True, id="onestep")]


def counts_without_idnums(c: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """The seed ignores the number of patient ID numbers."""
    return {t: v for t, v in c.items() if t != "patient_idnum"}


def force_finalize(db: Backend, tablet: Tablet) -> None:
    """Force-finalize the tablet's device as its own user, in one transaction."""
    dev = uc.device_id(db.engine, tablet.device)
    uid = uc.user_id(db.engine, tablet.user)
    with db.engine.begin() as conn:
        engine_force_finalize(
            conn, dev, uid, datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
        )


@pytest.mark.parametrize("onestep", METHODS)
def test_seed_single_record(db: Backend, uploader: TabletFactory, onestep: bool) -> None:
    tab = uploader()
    dev = uc.device_id(db.engine, tab.device)
    rid = tab.create("ref_satis_gen")
    c = checked_upload(db, tab, "copy", onestep)
    assert c.counts == {"ref_satis_gen": {"added": 1}}
    (r1,) = uc.rows(db.engine, "ref_satis_gen", device=dev)
    assert (r1["_current"], r1["_era"], r1["id"], r1["_addition_pending"]) == (
        True,
        "NOW",
        rid,
        False,
    )

    tab.edit("ref_satis_gen", rid, rating=4, good="good", bad="bad", service="svc")
    c = checked_upload(db, tab, "copy", onestep)
    assert c.counts == {"ref_satis_gen": {"added": 1, "modified out": 1}}
    r1, r2 = uc.rows(db.engine, "ref_satis_gen", device=dev)
    assert (bool(r1["_current"]), r1["_successor_pk"]) == (False, r2["_pk"])
    assert (bool(r2["_current"]), r2["_predecessor_pk"], r2["_successor_pk"]) == (
        True,
        r1["_pk"],
        None,
    )
    assert r2["rating"] == 4 and r2["good"] == "good"
    assert_now_matches_tablet(db, tab)

    c = checked_upload(db, tab, "move", onestep)
    assert c.counts == {"ref_satis_gen": {"preserved": 2}}
    r1, r2 = uc.rows(db.engine, "ref_satis_gen", device=dev)
    assert r1["_era"] == r2["_era"] != "NOW"
    assert bool(r2["_current"]) and not r1["_current"]
    assert not tab.db["ref_satis_gen"], "Move wipes the tablet"

    rid = tab.create("ref_satis_gen")
    checked_upload(db, tab, "copy", onestep)
    tab.edit("ref_satis_gen", rid, rating=5, good="g2", bad="b2", service="s2")
    tab.set_move_off("ref_satis_gen", rid)
    c = checked_upload(db, tab, "copy", onestep)
    assert c.counts == {"ref_satis_gen": {"added": 1, "modified out": 1, "preserved": 2}}
    rows = uc.rows(db.engine, "ref_satis_gen", device=dev)
    assert len(rows) == 4
    eras = {r["_era"] for r in rows}
    assert len(eras) == 2 and "NOW" not in eras, "the second finalize must get its own era"
    assert not tab.db["ref_satis_gen"], "Copy wipes the flagged record"
    assert uc.current_by_era(db.engine, dev, ["ref_satis_gen"]).get("NOW") is None


@pytest.mark.parametrize("onestep", METHODS)
def test_seed_with_patient(db: Backend, uploader: TabletFactory, onestep: bool) -> None:
    tab = uploader()
    dev = uc.device_id(db.engine, tab.device)
    pid = tab.add_patient(nhs=nhs_number(1))
    n1 = tab.create("progressnote", patient_id=pid, location="loc1")
    n2 = tab.create("progressnote", patient_id=pid, location="loc2", note="note2")
    tab.create("progressnote", patient_id=pid, location="loc3", note="note3")
    c = checked_upload(db, tab, "copy", onestep)
    assert counts_without_idnums(c.counts) == {
        "patient": {"added": 1},
        "progressnote": {"added": 3},
    }
    assert_now_matches_tablet(db, tab)

    tab.edit("progressnote", n1, note="note1")
    tab.delete("progressnote", n2)
    c = checked_upload(db, tab, "copy", onestep)
    assert c.counts == {"progressnote": {"added": 1, "modified out": 1, "deleted": 1}}
    assert_now_matches_tablet(db, tab)
    cur = [r for r in uc.rows(db.engine, "progressnote", device=dev) if r["_current"]]
    assert sorted((r["location"], r["note"]) for r in cur) == [("loc1", "note1"), ("loc3", "note3")]

    tab.edit("progressnote", n1, note=None)
    c = checked_upload(db, tab, "move_keeping_patients", onestep)
    assert counts_without_idnums(c.counts) == {
        "patient": {"preserved": 1},
        "progressnote": {"added": 1, "modified out": 1, "preserved": 5},
    }
    assert uc.current_by_era(db.engine, dev, ["patient", "progressnote"]).get("NOW") is None
    assert len(tab.db["patient"]) == 1 and not tab.db["progressnote"], "patients kept, tasks wiped"

    tab.create("progressnote", patient_id=pid, location="loc4", note="note4")
    tab.create("progressnote", patient_id=pid, location="loc5")
    c = checked_upload(db, tab, "copy", onestep)
    assert counts_without_idnums(c.counts) == {
        "patient": {"added": 1},
        "progressnote": {"added": 2},
    }
    assert_now_matches_tablet(db, tab)

    force_finalize(db, tab)
    assert uc.current_by_era(db.engine, dev, ["patient", "progressnote"]).get("NOW") is None
    forced = [r for r in uc.rows(db.engine, "progressnote", device=dev) if r["_forcibly_preserved"]]
    assert len(forced) == 2
    c = checked_upload(db, tab, "move", onestep)
    assert counts_without_idnums(c.counts) == {
        "patient": {"added": 1, "preserved": 1},
        "progressnote": {"added": 2, "preserved": 2},
    }


@pytest.mark.parametrize("onestep", METHODS)
def test_seed_ancillary_and_blobs(db: Backend, uploader: TabletFactory, onestep: bool) -> None:
    tab = uploader()
    dev = uc.device_id(db.engine, tab.device)
    pid = tab.add_patient(nhs=nhs_number(2))
    seq = tab.create("photosequence", patient_id=pid, sequence_description="t1")
    ph1 = tab.create("photosequence_photos", photosequence_id=seq, seqnum=1, description="p1")
    ph2 = tab.create("photosequence_photos", photosequence_id=seq, seqnum=2, description="p2")
    tab.add_blob("photosequence_photos", ph1, "photo_blobid", b"\xff\xd8one finger vertical")
    b2 = tab.add_blob("photosequence_photos", ph2, "photo_blobid", b"\xff\xd8two fingers vertical")
    c = checked_upload(db, tab, "copy", onestep)
    assert counts_without_idnums(c.counts) == {
        "blobs": {"added": 2},
        "patient": {"added": 1},
        "photosequence": {"added": 1},
        "photosequence_photos": {"added": 2},
    }
    assert_now_matches_tablet(db, tab)
    stored = {r["id"]: bytes(r["theblob"]) for r in uc.rows(db.engine, "blobs", device=dev)}
    assert stored == {1: b"\xff\xd8one finger vertical", 2: b"\xff\xd8two fingers vertical"}

    tab.replace_blob(b2, b"\xff\xd8two fingers horizontal")
    tab.touch("photosequence", seq)
    c = checked_upload(db, tab, "copy", onestep)
    assert c.counts == {
        "blobs": {"added": 1, "modified out": 1},
        "photosequence": {"added": 1, "modified out": 1},
        "photosequence_photos": {"added": 1, "modified out": 1},
    }

    tab.replace_blob(b2, b"\xff\xd8two fingers vertical again")
    tab.touch("photosequence", seq)
    tab.set_move_off("patient", pid)
    c = checked_upload(db, tab, "copy", onestep)
    assert counts_without_idnums(c.counts) == {
        "blobs": {"added": 1, "modified out": 1, "preserved": 4},
        "patient": {"preserved": 1},
        "photosequence": {"added": 1, "modified out": 1, "preserved": 3},
        "photosequence_photos": {"added": 1, "modified out": 1, "preserved": 4},
    }
    assert all(not rows for rows in tab.db.values()), "everything was flagged, so Copy wiped it all"
    eras = uc.current_by_era(
        db.engine, dev, ["blobs", "patient", "photosequence", "photosequence_photos"]
    )
    assert list(eras) != ["NOW"] and "NOW" not in eras
    (era,) = eras
    assert eras[era]["blobs"].keys() == {1, 2}
    latest = [r for r in uc.rows(db.engine, "blobs", device=dev) if r["_current"] and r["id"] == 2]
    assert bytes(latest[0]["theblob"]) == b"\xff\xd8two fingers vertical again"

    pid2 = tab.add_patient(nhs=nhs_number(3), forename="AL", surname="SMITH", sex="M")
    seq2 = tab.create("photosequence", patient_id=pid2, sequence_description="t2")
    ph3 = tab.create("photosequence_photos", photosequence_id=seq2, seqnum=1, description="p3")
    tab.add_blob("photosequence_photos", ph3, "photo_blobid", b"\xff\xd8three fingers")
    checked_upload(db, tab, "copy", onestep)
    assert_now_matches_tablet(db, tab)
    force_finalize(db, tab)
    c = checked_upload(db, tab, "move", onestep)
    assert counts_without_idnums(c.counts) == {
        "blobs": {"added": 1, "preserved": 1},
        "patient": {"added": 1, "preserved": 1},
        "photosequence": {"added": 1, "preserved": 1},
        "photosequence_photos": {"added": 1, "preserved": 1},
    }
