"""The page furniture of copse's PDFs, and the tracker chart drawn with PDF primitives.

Built on fpdf2: pure Python (its own dependencies are wheels on PyPI), so the
set-up stays one ``pip install``; it draws lines, circles and text directly,
so a tracker chart is drawn from the same points as the web page's SVG
rather than converting the SVG (which would need a second renderer).

Every page carries the patient's name, date of birth and ID numbers (a
printed page that strays from its pile must still say whose it is), the
server's name, when it was printed and "page N of M".

The built-in PDF fonts (Helvetica) cover Latin-1 only; text outside it is
transliterated (accents dropped, dashes and quotes made plain) and anything
left is shown as "?". That keeps the PDF dependency-free of font files.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from copse.services.pdf_header import PdfHeader
from copse.tasks.meta import TrackerSpec, format_number
from copse.tasks.tracker_svg import TrackerPoint

_PLAIN = str.maketrans(
    {
        "—": "-",
        "–": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "⚠": "(!)",
        "•": "*",
        "≥": ">=",
        "≤": "<=",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "œ": "oe",
        "Œ": "OE",
    }
)


def latin1(text: object) -> str:
    """``text`` as the built-in PDF fonts can show it (see the module's note)."""
    out: list[str] = []
    for ch in str(text).translate(_PLAIN):
        if ch in "\n\t" or (ch.isprintable() and ord(ch) < 256):
            out.append(ch)
            continue
        bare = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out.append(bare if bare and all(ord(c) < 256 and c.isprintable() for c in bare) else "?")
    return "".join(out)


class Document(FPDF):
    """An A4 page with copse's header and footer on every page."""

    def __init__(self, head: PdfHeader, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.head = head
        self.doc_title = title
        self.set_title(latin1(title))
        self.set_creator("copse")
        self.set_auto_page_break(auto=True, margin=20)
        self.set_margins(15, 15, 15)
        self.add_page()

    def header(self) -> None:
        self.set_font("Helvetica", "", 8)
        self.set_text_color(90, 100, 110)
        self.cell(
            0, 4, latin1(self.head.server_title or "copse"), new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        self.set_text_color(0, 0, 0)
        self.set_font("Helvetica", "B", 10)
        self.multi_cell(0, 5, latin1(self.head.patient_line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(150, 150, 150)
        self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
        self.ln(4)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(90, 100, 110)
        printed = self.head.printed_at.strftime("%d %b %Y %H:%M UTC")
        left = latin1(
            f"{self.doc_title} - printed {printed} from {self.head.server_title or 'copse'}"
        )
        self.cell(0, 4, left, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    # -- content helpers ---------------------------------------------------

    def heading(self, text: str, size: int = 13) -> None:
        self.set_font("Helvetica", "B", size)
        self.multi_cell(0, size * 0.5, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)

    def para(self, text: str, style: str = "", size: int = 10) -> None:
        self.set_font("Helvetica", style, size)
        self.multi_cell(0, 5, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def pairs(self, rows: Sequence[tuple[str, str]], key_width: float = 60) -> None:
        """A two-column list (label, value); long values wrap."""
        self.set_font("Helvetica", "", 9)
        width = self.w - self.l_margin - self.r_margin - key_width
        for key, value in rows:
            if self.will_page_break(5):
                self.add_page()
            y = self.get_y()
            self.set_font("Helvetica", "B", 9)
            self.multi_cell(key_width, 4.5, latin1(key), new_x=XPos.RIGHT, new_y=YPos.TOP)
            key_bottom = self.y_after_key(y, key_width, key)
            self.set_xy(self.l_margin + key_width, y)
            self.set_font("Helvetica", "", 9)
            self.multi_cell(width, 4.5, latin1(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_y(max(self.get_y(), key_bottom) + 0.5)

    def y_after_key(self, y: float, key_width: float, key: str) -> float:
        lines = self.multi_cell(key_width, 4.5, latin1(key), dry_run=True, output="LINES")
        return y + 4.5 * max(1, len(lines) if isinstance(lines, list) else 1)

    def signature_box(self) -> None:
        """A box for the clinician who files this print: name, signature, date."""
        if self.will_page_break(34):
            self.add_page()
        self.ln(4)
        x, y = self.l_margin, self.get_y()
        width = self.w - self.l_margin - self.r_margin
        self.set_draw_color(0, 0, 0)
        self.rect(x, y, width, 30)
        self.set_font("Helvetica", "", 9)
        for i, label in enumerate(("Clinician (name)", "Signature", "Date")):
            self.set_xy(x + 2, y + 2 + i * 9.5)
            self.cell(35, 5, label + ":")
            self.line(x + 38, y + 7 + i * 9.5, x + width - 4, y + 7 + i * 9.5)
        self.set_xy(x, y + 31)

    def output_bytes(self) -> bytes:
        return bytes(self.output())


def draw_tracker(doc: Document, spec: TrackerSpec, points: Sequence[TrackerPoint]) -> None:
    """One tracker chart: the scale's range, cut-off lines with labels, points joined.

    Values outside the scale are drawn at its edge and said so in the table
    under the chart; incomplete and unscored tasks are only listed.
    """
    height, left_pad, right_pad = 55.0, 12.0, 30.0
    if doc.will_page_break(height + 20):
        doc.add_page()
    x0 = doc.l_margin + left_pad
    x1 = doc.w - doc.r_margin - right_pad
    top = doc.get_y() + 2
    bottom = top + height
    span = (spec.y_max - spec.y_min) or 1.0

    def y_of(v: float) -> float:
        v = min(max(v, spec.y_min), spec.y_max)
        return bottom - (v - spec.y_min) / span * height

    charted = [p for p in points if p.charted and p.value is not None]
    times = [p.when.timestamp() for p in points]
    t0, t1 = (min(times), max(times)) if times else (0.0, 1.0)
    if t1 - t0 < 1:
        t0, t1 = t0 - 86400, t1 + 86400

    def x_of(when: datetime) -> float:
        return x0 + (when.timestamp() - t0) / (t1 - t0) * (x1 - x0)

    doc.set_draw_color(60, 60, 60)
    doc.set_line_width(0.3)
    doc.rect(x0, top, x1 - x0, height)
    doc.set_font("Helvetica", "", 7)
    for v in sorted({spec.y_min, spec.y_max, *(c.value for c in spec.cutoffs)}):
        doc.set_xy(doc.l_margin, y_of(v) - 2)
        doc.cell(left_pad - 1, 4, format_number(v), align="R")
    doc.set_draw_color(170, 120, 40)
    doc.set_dash_pattern(dash=1.2, gap=1.2)
    for c in spec.cutoffs:
        doc.line(x0, y_of(c.value), x1, y_of(c.value))
        doc.set_xy(x1 + 1, y_of(c.value) - 2)
        doc.cell(right_pad - 1, 4, latin1(f">= {format_number(c.value)} {c.label}"))
    doc.set_dash_pattern()
    doc.set_draw_color(31, 111, 92)
    doc.set_fill_color(31, 111, 92)
    doc.set_line_width(0.5)
    for a, b in zip(charted, charted[1:], strict=False):
        assert a.value is not None and b.value is not None
        doc.line(x_of(a.when), y_of(a.value), x_of(b.when), y_of(b.value))
    for p in charted:
        assert p.value is not None
        doc.circle(x_of(p.when), y_of(p.value), 1.1, style="F")
    doc.set_line_width(0.2)
    doc.set_draw_color(0, 0, 0)
    if points:
        doc.set_xy(x0, bottom + 1)
        doc.cell(40, 4, points[0].when.strftime("%d %b %Y"))
        doc.set_xy(x1 - 40, bottom + 1)
        doc.cell(40, 4, points[-1].when.strftime("%d %b %Y"), align="R")
    doc.set_xy(doc.l_margin, bottom + 7)
    rows = []
    for p in points:
        if p.value is None:
            text = "not scored"
        elif not p.complete:
            text = f"{format_number(p.value)} (incomplete, not charted)"
        elif not spec.y_min <= p.value <= spec.y_max:
            text = f"{format_number(p.value)} (outside the scale; drawn at its edge)"
        else:
            text = format_number(p.value)
        rows.append((p.when.strftime("%d %b %Y %H:%M UTC"), text))
    doc.pairs(rows, key_width=45)
    doc.ln(3)
