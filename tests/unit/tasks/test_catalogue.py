"""The catalogue covers every task table, and the generic fallback shows everything."""

from __future__ import annotations

from typing import Any

import pytest
from task_test_helpers import XSS, assert_escaped, hostile_task

from copse.schema.registry import TABLES, TASK_TABLES, ColumnInfo
from copse.tasks import html as h
from copse.tasks.base import AncillaryInfo, BlobInfo, GenericTask, TaskData, TaskDefinition
from copse.tasks.catalogue import (
    all_tasks,
    get_task,
    is_task_table,
    task_owning_table,
    tasks_with_logic,
)

REQUIRED_WITH_LOGIC = {
    "ref_satis_gen", "progressnote", "photo", "photosequence", "diagnosis_icd10",
    "phq9", "phq8", "phq15", "gad7", "bmi", "audit", "audit_c", "hads", "core10", "pcl5",
    "epds", "honos", "bprs", "moca", "ace3", "miniace", "wemwbs", "swemwbs", "cage", "pswq",
    "gds15", "eq5d5l", "cgi", "distressthermometer", "zbi12",
}  # fmt: skip
NON_TASK_TABLES = sorted(n for n, t in TABLES.items() if not t.is_task)
# Every task table now has its own definition, so the generic fallback is
# exercised by building it directly on a spread of tables: plain scales, a
# task with blobs and ones with one or two ancillary tables.
FALLBACK_TABLES = ["cisr", "ided3d", "photosequence", "phq9", "slums", "cardinal_expdet"]


def test_every_task_table_has_a_definition() -> None:
    assert len(TASK_TABLES) == 138
    for name in TASK_TABLES:
        task_def = get_task(name)
        assert isinstance(task_def, TaskDefinition)
        assert task_def.tablename == name
    assert [t.tablename for t in all_tasks()] == sorted(TASK_TABLES)


@pytest.mark.parametrize("name", [*NON_TASK_TABLES, "no_such_table", ""])
def test_non_task_tables_are_not_tasks(name: str) -> None:
    assert not is_task_table(name)
    with pytest.raises(KeyError):
        get_task(name)


def test_non_task_count() -> None:
    assert len(NON_TASK_TABLES) == 14  # 11 ancillary + patient, patient_idnum, blobs


def test_required_tasks_have_logic() -> None:
    with_logic = {t.tablename for t in tasks_with_logic()}
    assert with_logic >= REQUIRED_WITH_LOGIC
    assert all(t.has_logic for t in tasks_with_logic())


def test_no_task_table_uses_the_generic_fallback() -> None:
    assert all(t.has_logic for t in all_tasks())
    assert not [t.tablename for t in all_tasks() if isinstance(t, GenericTask)]


def test_definitions_are_singletons() -> None:
    assert get_task("phq9") is get_task("phq9")


def test_metadata_comes_from_the_registry() -> None:
    phq9 = get_task("phq9")
    assert (phq9.shortname, phq9.longname) == ("PHQ-9", "Patient Health Questionnaire-9")
    assert phq9.has_patient and not phq9.has_clinician and not phq9.has_respondent
    assert get_task("ref_satis_gen").is_anonymous
    assert get_task("ref_satis_gen").has_patient is False
    assert get_task("zbi12").has_respondent
    assert get_task("progressnote").has_clinician
    assert get_task("core10").min_client_version == "2.2.8"
    assert get_task("pcl5").min_client_version == "2.2.8"
    assert get_task("chit").min_client_version == "2.4.15"
    assert get_task("phq9").min_client_version == "2.0.0"
    assert get_task("moca").blob_fields == (
        "trailpicture_blobid",
        "cubepicture_blobid",
        "clockpicture_blobid",
    )
    assert get_task("photo").blob_fields == ("photo_blobid",)
    assert get_task("phq9").blob_fields == ()


def test_ancillary_relationships() -> None:
    assert get_task("photosequence").ancillary == (
        AncillaryInfo("photosequence_photos", "photosequence_id", "seqnum"),
    )
    assert get_task("diagnosis_icd10").ancillary == (
        AncillaryInfo("diagnosis_icd10_item", "diagnosis_icd10_id", "seqnum"),
    )
    assert set(get_task("ided3d").ancillary) == {
        AncillaryInfo("ided3d_trials", "ided3d_id", "trial"),
        AncillaryInfo("ided3d_stages", "ided3d_id", "stage"),
    }
    assert set(get_task("khandaker_mojo_medicationtherapy").ancillary) == {
        AncillaryInfo("khandaker_mojo_medication_item", "medicationtable_id", "seqnum"),
        AncillaryInfo("khandaker_mojo_therapy_item", "medicationtable_id", "seqnum"),
    }
    # Tuple-unpackable as the brief's (table, fk, order-by).
    table, fk, order_by = get_task("kirby_mcq").ancillary[0]
    assert (table, fk, order_by) == ("kirby_mcq_trials", "kirby_mcq_id", "trial")
    covered = {a.tablename for t in all_tasks() for a in t.ancillary}
    assert covered == {n for n, t in TABLES.items() if t.kind == "ancillary"}
    assert get_task("photosequence").all_tables == ("photosequence", "photosequence_photos")


def test_task_owning_table() -> None:
    assert task_owning_table("phq9") is get_task("phq9")
    assert task_owning_table("photosequence_photos") is get_task("photosequence")
    assert task_owning_table("diagnosis_icd9cm_item") is get_task("diagnosis_icd9cm")
    assert task_owning_table("patient") is None
    assert task_owning_table("blobs") is None
    assert task_owning_table("nonsense") is None


def test_generic_definition_rejects_non_tasks() -> None:
    with pytest.raises(ValueError):
        GenericTask("patient")
    with pytest.raises(ValueError):
        GenericTask("photosequence_photos")


# ------------------------------------------------------------ generic fallback
def example_value(col: ColumnInfo) -> Any:
    """A value of the right kind for a column, recognisable in the output."""
    return {
        "int": 4242,
        "bigint": 9876543210,
        "bool": 1,
        "float": 3.25,
        "text": "free text\nsecond line",
        "string": "S" if (col.length or 2) < 2 else "str",
        "datetime": "2024-05-06T07:08:09.123456+01:00",
        "date": "2024-05-06",
        "time": "07:08:09",
        "blob": b"\x89PNG",
    }[col.kind]


EXPECTED_SHOWN = {
    "int": "4242",
    "bigint": "9876543210",
    "bool": "Yes",
    "float": "3.25",
    "text": "free text<br>second line",
    "datetime": "2024-05-06T07:08:09.123456+01:00",
    "date": "2024-05-06",
    "time": "07:08:09",
    "blob": "(binary data, 4 bytes)",
}


@pytest.mark.parametrize("tablename", FALLBACK_TABLES)
def test_generic_fallback_all_null(tablename: str) -> None:
    task_def = GenericTask(tablename)
    assert not task_def.has_logic
    null_task = TaskData(row={c.name: None for c in TABLES[tablename].columns})
    assert task_def.is_complete(null_task) is None
    assert task_def.summaries(null_task) == []
    html = str(task_def.render_html(null_task))
    assert 'class="copse-unknown"' in html
    for col in TABLES[tablename].columns:
        assert f"<td>{col.name}</td>" in html


@pytest.mark.parametrize("tablename", FALLBACK_TABLES)
def test_generic_fallback_typed_values(tablename: str) -> None:
    task_def = GenericTask(tablename)
    row = {c.name: example_value(c) for c in TABLES[tablename].columns}
    children = {
        a.tablename: [{c.name: example_value(c) for c in TABLES[a.tablename].columns}]
        for a in task_def.ancillary
    }
    html = str(task_def.render_html(TaskData(row=row, ancillary=children)))
    for col in TABLES[tablename].columns:
        shown = EXPECTED_SHOWN.get(col.kind, str(row[col.name]))
        assert f"<tr><td>{col.name}</td><td>{shown}" in html, col
    for a in task_def.ancillary:
        for col in TABLES[a.tablename].columns:
            assert f"<th>{col.name}</th>" in html


@pytest.mark.parametrize("tablename", FALLBACK_TABLES)
def test_generic_fallback_escapes(tablename: str) -> None:
    task_def = GenericTask(tablename)
    html = str(
        task_def.render_html(hostile_task(tablename, [a.tablename for a in task_def.ancillary]))
    )
    assert_escaped(html)


@pytest.mark.parametrize("tablename", sorted(TABLES))
def test_record_html_covers_every_client_table(tablename: str) -> None:
    """The field table works for every client table, tasks or not."""
    null_html = str(h.record_html(tablename, {}))
    row = {c.name: example_value(c) for c in TABLES[tablename].columns}
    typed_html = str(h.record_html(tablename, row))
    for col in TABLES[tablename].columns:
        assert f"<td>{col.name}</td><td>{h.NULL_HTML}</td>" in null_html
        assert f"<td>{col.name}</td>" in typed_html
    hostile = str(h.record_html(tablename, {c.name: XSS for c in TABLES[tablename].columns}))
    assert_escaped(hostile)


def test_generic_fallback_shows_blob_images() -> None:
    task_def = GenericTask("slums")  # slums has its own logic now; test the fallback itself
    blobs = {7: BlobInfo(mimetype="image/png", filename="clock.png", size=3, url="/blob/7")}
    html = str(task_def.render_html(TaskData(row={"clockpicture_blobid": 7}, blobs=blobs)))
    assert '<img class="copse-blob" src="/blob/7" alt="clockpicture_blobid">' in html
