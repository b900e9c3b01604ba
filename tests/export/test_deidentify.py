"""De-identified downloads carry no identifier in any byte, and stable keyed pseudonyms."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from copse.services.export import ExportOptions
from tests.export.conftest import export, read_csv_zip, read_sqlite, read_xlsx
from tests.export.scenario import DOB, MARKERS, SECOND_NHS, upload_site
from tests.sync.conftest import NHS_OK, Harness

FORBIDDEN = [*MARKERS.values(), DOB, str(NHS_OK), str(SECOND_NHS)]


def all_bytes(path: Path) -> bytes:
    """The file, and for ZIP-based formats every member decompressed too."""
    data = path.read_bytes()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            data += b"".join(zf.read(n) for n in zf.namelist())
    return data


def encodings(marker: str) -> list[bytes]:
    """How a value can sit in a file: as text, or (ID numbers) as SQLite's big-endian integer."""
    out = [marker.encode(), marker.encode("utf-16-le")]
    if marker.isdigit():
        out += [int(marker).to_bytes(n, "big") for n in (6, 8)]
    return out


def leaks(path: Path) -> list[str]:
    data = all_bytes(path)
    return [m for m in FORBIDDEN if any(e in data for e in encodings(m))]


@pytest.mark.parametrize("fmt", ["sqlite", "csv", "xlsx"])
def test_identified_download_has_the_markers(h: Harness, tmp_path: Path, fmt: str) -> None:
    """The check below can fail: without --deidentify every marker is in the file."""
    upload_site(h)
    out = tmp_path / f"id.{fmt}"
    export(h, ExportOptions(fmt), out)  # type: ignore[arg-type]
    assert sorted(leaks(out)) == sorted(FORBIDDEN)


@pytest.mark.parametrize("fmt", ["sqlite", "csv", "xlsx"])
def test_no_identifier_in_any_byte(h: Harness, tmp_path: Path, fmt: str) -> None:
    upload_site(h)
    out = tmp_path / f"deid.{fmt}"
    export(h, ExportOptions(fmt, deidentify=True, all_versions=True), out)  # type: ignore[arg-type]
    assert leaks(out) == []


def test_pseudonyms_stable_distinct_and_joined(h: Harness, tmp_path: Path) -> None:
    upload_site(h)
    a, b, c = tmp_path / "a.sqlite", tmp_path / "b.sqlite", tmp_path / "c.zip"
    export(h, ExportOptions("sqlite", deidentify=True), a)
    export(h, ExportOptions("sqlite", deidentify=True), b)
    export(h, ExportOptions("csv", deidentify=True), c)
    ta, tb = read_sqlite(a), read_sqlite(b)
    tc, _ = read_csv_zip(c)
    pa = sorted(r["pseudonym"] for r in ta["patient"])
    assert len(pa) == 2 and pa[0] != pa[1]
    assert pa == sorted(r["pseudonym"] for r in tb["patient"])
    assert pa == sorted(r["pseudonym"] for r in tc["patient"])
    assert {r["patient_pseudonym"] for r in ta["phq9"]} == set(pa)
    assert "patient_idnum" not in ta
    assert {r["patient_age_years"] for r in ta["phq9"]} == {53}
    assert {r["sex"] for r in ta["patient"]} == {"F"}


def test_xlsx_deidentified_sheets(h: Harness, tmp_path: Path) -> None:
    upload_site(h)
    out = tmp_path / "d.xlsx"
    export(h, ExportOptions("xlsx", deidentify=True), out)
    got = read_xlsx(out)
    assert set(got) == {"data_dictionary", "patient", "phq9"}
    assert all(str(r["patient_pseudonym"]).startswith("P") for r in got["phq9"])
