"""``--jobs 2``: which task tables the import offers its index helper during the copy."""

from __future__ import annotations

from datetime import datetime

from copse.services.camcops_import.ahead import IndexAhead
from tests.support.databases import Backend

NOW = datetime(2031, 5, 6, 7, 8, 9)
#: bmi reads patients; photosequence patients, its photos and BLOBs.
SOURCES = ["patient", "photosequence_photos", "blobs"]
TASKS = ["bmi", "gad7", "photosequence", "phq9"]


def _ahead(db: Backend, counts: dict[str, int]) -> IndexAhead:
    return IndexAhead(db.engine, NOW, counts)


def test_task_tables_offered_once_what_their_entries_read_is_in(db: Backend) -> None:
    counts = dict.fromkeys([*SOURCES, "bmi", "photosequence", "phq9"], 1)  # gad7 holds no row
    with _ahead(db, counts) as ahead:
        ahead.loaded("bmi")
        ahead.loaded("gad7")
        assert ahead.offered == []
        ahead.loaded("patient")
        assert ahead.offered == ["bmi"]
        ahead.loaded("photosequence_photos")
        ahead.loaded("photosequence")
        ahead.loaded("phq9")
        ahead.loaded("bmi")  # again: not offered twice
        assert ahead.offered == ["bmi", "phq9"]
        ahead.loaded("blobs")
        assert ahead.offered == ["bmi", "phq9", "photosequence"]


def test_a_table_with_rows_to_delete_is_left_to_the_rebuild(db: Backend) -> None:
    """Its rows are deleted after the copy: entries computed now could come from them."""
    with _ahead(db, dict.fromkeys([*SOURCES, *TASKS], 1)) as ahead:
        for table in SOURCES:
            ahead.loaded(table)
        ahead.loaded("bmi")
        ahead.loaded("gad7", deleting=True)
        ahead.loaded("phq9")
        assert ahead.offered == ["bmi", "phq9"]


def test_no_task_table_offered_once_a_patient_or_ancillary_row_is_to_go(db: Backend) -> None:
    """Any task's entry may read a patient, ancillary row or BLOB about to be deleted."""
    with _ahead(db, dict.fromkeys([*SOURCES, *TASKS], 1)) as ahead:
        ahead.loaded("patient")
        ahead.loaded("bmi")
        ahead.loaded("photosequence_photos", deleting=True)
        ahead.loaded("blobs")
        ahead.loaded("gad7")
        ahead.loaded("photosequence")
        assert ahead.offered == ["bmi"]
