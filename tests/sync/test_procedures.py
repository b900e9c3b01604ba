"""The seed's manual test procedure (client_api.txt), at engine level, for both methods."""

from __future__ import annotations

import re
from typing import Any

import pytest

from copse.sync import check_invariants, force_finalize
from tests.sync.conftest import NHS_OK, Harness, when

PT = ["id", "forename", "surname", "dob", "sex", "when_last_modified", "_move_off_tablet"]
IDN = ["id", "patient_id", "which_idnum", "idnum_value", "when_last_modified", "_move_off_tablet"]
PN = [
    "id",
    "patient_id",
    "location",
    "note",
    "when_created",
    "when_last_modified",
    "_move_off_tablet",
]
PS = [
    "id",
    "patient_id",
    "sequence_description",
    "when_created",
    "when_last_modified",
    "_move_off_tablet",
]
PSP = [
    "id",
    "photosequence_id",
    "seqnum",
    "description",
    "photo_blobid",
    "when_last_modified",
    "_move_off_tablet",
]
BL = [
    "id",
    "tablename",
    "tablepk",
    "fieldname",
    "theblob",
    "when_last_modified",
    "_move_off_tablet",
]


def counts(text: str, table: str) -> dict[str, int]:
    m = re.search(re.escape(table) + r" \(([^)]*)\)", text)
    if not m:
        return {}
    out = {}
    for part in m.group(1).split("; "):
        mm = re.match(r"(\d+) (added|modified out|deleted|preserved)", part)
        if mm:
            out[mm.group(2)] = int(mm.group(1))
    return out


def upload(
    h: Harness, method: str, state: dict[str, tuple[list[str], list[list[Any]]]], how: str = "copy"
) -> str:
    move = how != "copy"
    if method == "onestep":
        h.onestep(state, finalizing=move)
    else:
        h.stepwise(state, preserve=move)
    return h.audits()[-1]


@pytest.mark.parametrize("method", ["stepwise", "onestep"])
def test_with_a_patient(h: Harness, method: str) -> None:
    pt = [[1, "JO", "BLOGGS", "1980-02-29", "F", when(0), 0]]
    idn = [[1, 1, 1, NHS_OK, when(0), 0]]
    notes = {
        1: [1, 1, "loc1", None, when(0), when(1), 0],
        2: [2, 1, "loc2", "note2", when(0), when(2), 0],
        3: [3, 1, "loc3", "note3", when(0), when(3), 0],
    }

    def state() -> dict[str, Any]:
        return {
            "patient": (PT, pt),
            "patient_idnum": (IDN, idn),
            "progressnote": (PN, list(notes.values())),
        }

    text = upload(h, method, state())
    assert counts(text, "patient") == {"added": 1} and counts(text, "progressnote") == {"added": 3}
    notes[1] = [1, 1, "loc1", "note1", when(0), when(11), 0]
    del notes[2]
    text = upload(h, method, state())
    assert counts(text, "progressnote") == {"added": 1, "modified out": 1, "deleted": 1}
    assert "patient (" not in text
    notes[1] = [1, 1, "loc1", None, when(0), when(21), 0]
    text = upload(h, method, state(), how="move_keeping_patients")
    assert counts(text, "patient") == {"preserved": 1}
    assert counts(text, "progressnote") == {"added": 1, "modified out": 1, "preserved": 5}
    notes.clear()
    notes[4] = [4, 1, "loc4", "note4", when(0), when(31), 0]
    notes[5] = [5, 1, "loc5", None, when(0), when(32), 0]
    text = upload(h, method, state())
    assert counts(text, "patient") == {"added": 1} and counts(text, "progressnote") == {"added": 2}
    with h.engine.begin() as conn:
        ch = force_finalize(conn, h.device_id, h.user_id, h.tick())
    by = {c.table: c for c in ch}
    assert by["progressnote"].n_preserved == 2 and by["patient"].n_preserved == 1
    assert all(r._forcibly_preserved for r in h.rows("progressnote") if r.id in (4, 5))
    text = h.audits()[-1]
    assert text.startswith(
        f"Live records for device {h.device_id} (Ward tablet) forcibly finalized (PKs: patient ["
    )
    text = upload(h, method, state(), how="move")
    assert counts(text, "patient") == {"added": 1, "preserved": 1}
    assert counts(text, "progressnote") == {"added": 2, "preserved": 2}
    assert h.invariants() == []


@pytest.mark.parametrize("method", ["stepwise", "onestep"])
def test_ancillary_tables_and_blobs(h: Harness, method: str) -> None:
    pt = [[1, "JO", "BLOGGS", "1980-02-29", "F", when(0), 0]]
    idn = [[1, 1, 1, NHS_OK, when(0), 0]]
    ps = [[1, 1, "t1", when(0), when(1), 0]]
    photos = [[1, 1, 1, "p1", 1, when(1), 0], [2, 1, 2, "p2", 2, when(1), 0]]
    blobs = [
        [1, "photosequence_photos", 1, "photo_blobid", b"one-vertical", when(1), 0],
        [2, "photosequence_photos", 2, "photo_blobid", b"two-vertical", when(1), 0],
    ]

    def state() -> dict[str, Any]:
        return {
            "patient": (PT, pt),
            "patient_idnum": (IDN, idn),
            "photosequence": (PS, ps),
            "photosequence_photos": (PSP, photos),
            "blobs": (BL, blobs),
        }

    text = upload(h, method, state())
    assert counts(text, "blobs") == {"added": 2} and counts(text, "patient") == {"added": 1}
    assert counts(text, "photosequence") == {"added": 1}
    assert counts(text, "photosequence_photos") == {"added": 2}
    # Replace photo 2 (the client bumps the parent task too).
    blobs[1] = [3, "photosequence_photos", 2, "photo_blobid", b"two-horizontal", when(2), 0]
    blobs[1][0] = 2
    photos[1] = [2, 1, 2, "p2", 2, when(2), 0]
    ps[0] = [1, 1, "t1", when(0), when(2), 0]
    text = upload(h, method, state())
    for t in ("blobs", "photosequence", "photosequence_photos"):
        assert counts(text, t) == {"added": 1, "modified out": 1}, t
    # Back to vertical, and the patient flagged for finalizing: the client
    # propagates the flag to the patient's idnums, tasks, ancillary rows and blobs.
    pt[0][-1] = 1
    idn[0][-1] = 1
    blobs = [[b[0], b[1], b[2], b[3], b[4], b[5], 1] for b in blobs]
    blobs[1] = [2, "photosequence_photos", 2, "photo_blobid", b"two-vertical", when(3), 1]
    photos = [p[:-1] + [1] for p in photos]
    photos[1] = [2, 1, 2, "p2", 2, when(3), 1]
    ps[0] = [1, 1, "t1", when(0), when(3), 1]
    text = upload(h, method, state())
    assert counts(text, "blobs") == {"added": 1, "modified out": 1, "preserved": 4}
    assert counts(text, "patient") == {"preserved": 1}
    assert counts(text, "photosequence") == {"added": 1, "modified out": 1, "preserved": 3}
    assert counts(text, "photosequence_photos") == {"added": 1, "modified out": 1, "preserved": 4}
    for t in ("blobs", "patient", "photosequence", "photosequence_photos"):
        assert h.current(t) == {}, t
    # Another patient and sequence; copy; force-finalize; move.
    pt = [[2, "AL", "SMITH", "1970-01-01", "M", when(10), 0]]
    idn = []
    ps = [[2, 2, "t2", when(10), when(10), 0]]
    photos = [[3, 2, 1, "p3", 3, when(10), 0]]
    blobs = [[3, "photosequence_photos", 3, "photo_blobid", b"three", when(10), 0]]
    upload(h, method, state())
    with h.engine.begin() as conn:
        ch = force_finalize(conn, h.device_id, h.user_id, h.tick())
    assert {c.table: c.n_preserved for c in ch} == {
        "blobs": 1,
        "patient": 1,
        "photosequence": 1,
        "photosequence_photos": 1,
    }
    upload(h, method, state(), how="move")
    assert h.invariants() == []
    with h.engine.connect() as conn:
        assert check_invariants(conn, h.device_id) == []
