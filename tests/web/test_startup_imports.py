"""A server process starts without the libraries only some requests need."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import copse

SRC = Path(copse.__file__).resolve().parents[1]


def _loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sorted(sys.modules)))\n"],
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.splitlines()[-1].split())


def test_the_app_starts_without_the_pdf_library() -> None:
    """fpdf2 took ~0.4 s of every server start; it is imported when a PDF is drawn."""
    loaded = _loaded_after("import copse.app, copse.web.app")
    assert "copse.web.views_clinical" in loaded and "copse.services.pdf_docs" in loaded
    assert "fpdf" not in loaded
    drawn = _loaded_after(
        "from datetime import datetime\n"
        "from copse.services import pdf_docs\n"
        "from copse.services.pdf_header import PdfHeader\n"
        "head = PdfHeader('A', None, (), 'copse', datetime(2024, 1, 1))\n"
        "assert pdf_docs.clinical_pdf(head, []).startswith(b'%PDF')\n"
    )
    assert "fpdf" in drawn
