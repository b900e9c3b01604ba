"""What every page of a copse PDF says about its patient and its origin.

Apart from :mod:`copse.services.pdf_layout` so that building a header does
not import the PDF library: fpdf2 takes ~0.4 s to import, which every server
process paid at start-up though few ever draw a PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PdfHeader:
    """Who the document is about and where it came from (on every page)."""

    patient_name: str
    dob: str | None
    idnums: tuple[str, ...]
    server_title: str
    printed_at: datetime

    @property
    def patient_line(self) -> str:
        parts = [self.patient_name]
        parts.append(f"DOB {self.dob}" if self.dob else "DOB unknown")
        parts.extend(self.idnums)
        return " | ".join(parts)
