"""The task-list filters, all versions, audit, and Excel's row limit."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from copse.schema.tables import audit
from copse.services.export import ExportError, ExportFilter, ExportOptions, xlsx_out
from copse.services.export.xlsx_out import sheet_names
from copse.tasks import get_task
from copse.tasks.base import TaskData
from tests.export.conftest import current_rows, export, read_sqlite
from tests.export.scenario import PHQ9_FIELDS, phq9, upload_site
from tests.sync.conftest import NHS_OK, Harness


def phq9_ids(h: Harness, tmp_path: Path, f: ExportFilter, **kw: Any) -> list[int]:
    out = tmp_path / "f.sqlite"
    out.unlink(missing_ok=True)
    export(h, ExportOptions("sqlite", filter=f, **kw), out)
    return sorted(r["id"] for r in read_sqlite(out).get("phq9", []))


def test_filters(h: Harness, tmp_path: Path) -> None:
    upload_site(h)
    complete = {
        r.id
        for r in current_rows(h, "phq9")
        if get_task("phq9").is_complete(TaskData(row=dict(r._mapping)))
    }
    assert complete == {1}
    assert phq9_ids(h, tmp_path, ExportFilter()) == [1, 2, 3]
    assert phq9_ids(h, tmp_path, ExportFilter(complete_only=True)) == [1]
    assert phq9_ids(h, tmp_path, ExportFilter(which_idnum=1, idnum_value=NHS_OK)) == [1, 2]
    assert phq9_ids(h, tmp_path, ExportFilter(created_from=date(2024, 1, 10))) == [2, 3]
    assert phq9_ids(h, tmp_path, ExportFilter(created_to=date(2024, 1, 10))) == [1, 3]
    assert phq9_ids(h, tmp_path, ExportFilter(task_types=("bmi",))) == []
    assert phq9_ids(h, tmp_path, ExportFilter(era="live")) == [1, 2, 3]
    assert phq9_ids(h, tmp_path, ExportFilter(era="finalized")) == []
    assert phq9_ids(h, tmp_path, ExportFilter(group_ids=(h.group_id,))) == [1, 2, 3]


def test_idnum_filter_limits_patients_too(h: Harness, tmp_path: Path) -> None:
    upload_site(h)
    out = tmp_path / "one.sqlite"
    export(h, ExportOptions("sqlite", filter=ExportFilter(which_idnum=1, idnum_value=NHS_OK)), out)
    got = read_sqlite(out)
    assert [r["id"] for r in got["patient"]] == [1]
    assert [r["idnum_value"] for r in got["patient_idnum"]] == [NHS_OK]
    assert {r["patient_idnum1"] for r in got["phq9"]} == {NHS_OK}


def test_all_versions(h: Harness, tmp_path: Path) -> None:
    upload_site(h)
    h.onestep({"phq9": (PHQ9_FIELDS, [phq9(3, 2, 11, [0] * 10)])})
    versions = sorted((r._pk, r._current) for r in h.rows("phq9", id=3))
    assert [c for _, c in versions] == [False, True]
    out = tmp_path / "v.sqlite"
    export(h, ExportOptions("sqlite", all_versions=True), out)
    rows = {r["_pk"]: r for r in read_sqlite(out)["phq9"] if r["id"] == 3}
    (old, _), (new, _) = versions
    assert set(rows) == {old, new}
    assert rows[old]["_current"] == 0 and rows[new]["_current"] == 1
    assert rows[new]["_predecessor_pk"] == old and rows[old]["_successor_pk"] == new
    assert rows[old]["_when_removed_exact"] is not None
    plain = tmp_path / "p.sqlite"
    export(h, ExportOptions("sqlite"), plain)
    got = read_sqlite(plain)["phq9"]
    assert [r["_pk"] for r in got if r["id"] == 3] == [new]
    assert "_current" not in got[0]


def test_summaries_equal_the_definition(h: Harness, tmp_path: Path) -> None:
    upload_site(h)
    out = tmp_path / "s.sqlite"
    export(h, ExportOptions("sqlite"), out)
    got = {r["id"]: r for r in read_sqlite(out)["phq9"]}
    patients = {p.id: dict(p._mapping) for p in current_rows(h, "patient")}
    d = get_task("phq9")
    for r in current_rows(h, "phq9"):
        data = TaskData(row=dict(r._mapping), patient=patients[r.patient_id])
        for s in [*d.standard_summaries(data), *d.summaries(data)]:
            want = int(s.value) if isinstance(s.value, bool) else s.value
            assert got[r.id]["summary_" + s.name] == want, s.name
    assert got[1]["summary_total"] == 13  # q1..q9: 3+2+1+0+3+2+1+0+1


def test_audited(h: Harness, tmp_path: Path) -> None:
    upload_site(h)
    export(h, ExportOptions("csv", filter=ExportFilter(task_types=("phq9",))), tmp_path / "a.zip")
    with h.engine.connect() as conn:
        rows = conn.execute(sa.select(audit).where(audit.c.details.like("Export%"))).all()
    assert len(rows) == 1
    assert rows[0].user_id == h.user_id
    assert "format=csv" in rows[0].details and "tasks=phq9" in rows[0].details
    assert "3 task rows" in rows[0].details


def test_excel_row_limit_refused_before_starting(
    h: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upload_site(h)
    monkeypatch.setattr(xlsx_out, "EXCEL_MAX_ROWS", 3)  # header + 2 rows; phq9 has 3
    out = tmp_path / "big.xlsx"
    with pytest.raises(ExportError, match="'phq9' has 3 rows.*CSV or SQLite"):
        export(h, ExportOptions("xlsx"), out)
    assert list(tmp_path.iterdir()) == []
    with h.engine.connect() as conn:
        assert (
            conn.execute(
                sa.select(sa.func.count()).select_from(audit).where(audit.c.details.like("Export%"))
            ).scalar()
            == 0
        )


def test_sheet_names_unique_and_short() -> None:
    names = sheet_names(["a" * 40, "a" * 35, "b", "A" * 31])
    assert all(len(n) <= 31 for n in names.values())
    assert len({n.lower() for n in names.values()}) == 4


def test_text_never_becomes_a_formula_a_number_or_a_link(h: Harness, tmp_path: Path) -> None:
    """Text cells hold the text as stored; only what XML or Excel cannot hold is changed."""
    from openpyxl import load_workbook

    long_text = "x" * (xlsx_out.CELL_TEXT_MAX + 10)
    text = {
        "forename": '=HYPERLINK("x")',
        "surname": "0123",
        "address": "https://example.org/x",
        "gp": "a\x01b",
        "other": long_text,
    }
    h.onestep(
        {
            "patient": (
                ["id", *text, "when_last_modified", "_move_off_tablet"],
                [[1, *text.values(), "2024-01-01T10:00:00.000+00:00", 0]],
            ),
            "phq9": (PHQ9_FIELDS, [phq9(1, 1, 5, [1] * 10)]),
        }
    )
    out = tmp_path / "f.xlsx"
    export(h, ExportOptions("xlsx"), out)
    wb = load_workbook(out)
    ws = wb["patient"]
    header = [c.value for c in ws[1]]
    cells = {name: ws.cell(row=2, column=header.index(name) + 1) for name in text}
    assert all(c.data_type == "s" for c in cells.values())
    assert cells["forename"].value == '=HYPERLINK("x")'
    assert cells["surname"].value == "0123"
    assert cells["address"].value == "https://example.org/x" and not cells["address"].hyperlink
    assert cells["gp"].value == "a\ufffdb"
    assert cells["other"].value == long_text[: xlsx_out.CELL_TEXT_MAX]


@pytest.mark.parametrize("fmt", ["sqlite", "csv"])
def test_batches_of_one_give_the_same_file_contents(
    h: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """Patients shared by tasks of different batches are written once; nothing is lost."""
    from copse.services.export import source
    from tests.export.conftest import read_csv_zip

    upload_site(h, [phq9(4, 1, 21, [1] * 10), phq9(5, 1, 22, [2] * 10)])

    def read(p: Path) -> dict[str, list[dict[str, Any]]]:
        return read_sqlite(p) if fmt == "sqlite" else read_csv_zip(p)[0]

    big = tmp_path / f"big.{fmt}"
    export(h, ExportOptions(fmt, filter=ExportFilter(complete_only=True)), big)  # type: ignore[arg-type]
    monkeypatch.setattr(source, "BATCH_SIZE", 1)
    small = tmp_path / f"small.{fmt}"
    export(h, ExportOptions(fmt, filter=ExportFilter(complete_only=True)), small)  # type: ignore[arg-type]
    a, b = read(big), read(small)
    assert a == b
    assert sorted(int(r["id"]) for r in a["phq9"]) == [1, 4, 5]
    assert [str(r["id"]) for r in a["patient"]] == ["1"]
