"""Small, always-escaping HTML builders for task views.

Everything a tablet uploads is hostile text as far as the browser is
concerned (a patient's free-text answer, a filename, even an "integer" column
that an attacker filled with markup). Task modules therefore never build HTML
by string concatenation: they pass plain values to these helpers, which escape
every value with :mod:`markupsafe` and return :class:`markupsafe.Markup`.
Only these helpers and the fixed tag skeletons in them are trusted markup.

CSS classes all start with ``copse-`` so the web layer can style task views
without knowing which task produced them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from copse.schema.registry import TABLES

if TYPE_CHECKING:
    from copse.tasks.base import BlobInfo, Summary

#: What an absent value looks like.
NULL_HTML = Markup('<span class="copse-null" title="no value">—</span>')

HtmlCell = Markup | str | int | float | bool | None


def text_html(value: str) -> Markup:
    """Escape multi-line free text, keeping its line breaks visible."""
    return Markup("<br>").join(escape(line) for line in value.splitlines() or [""])


def value_html(value: Any, kind: str | None = None) -> Markup:
    """Render one stored value, escaped, optionally guided by its column kind.

    ``kind`` is the registry column kind; it only changes how 0/1 booleans are
    shown. Values of an unexpected type are still shown (escaped), because
    hiding corrupt data from the person reviewing it would be worse.
    """
    if value is None:
        return NULL_HTML
    if isinstance(value, Markup):
        return value
    if kind == "bool" and isinstance(value, (bool, int)) and value in (0, 1):
        return Markup("Yes") if value else Markup("No")
    if isinstance(value, bool):
        return Markup("Yes") if value else Markup("No")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return escape(f"(binary data, {len(bytes(value))} bytes)")
    if isinstance(value, float):
        return escape(repr(value) if not value.is_integer() else f"{value:.1f}")
    if isinstance(value, str):
        return text_html(value)
    return escape(str(value))


def cell(value: HtmlCell) -> Markup:
    """A table cell's content: Markup passes through, anything else is escaped."""
    if isinstance(value, Markup):
        return value
    return value_html(value)


def table(
    rows: Iterable[Sequence[HtmlCell]],
    *,
    header: Sequence[str] | None = None,
    css_class: str = "copse-table",
) -> Markup:
    """A plain table; every cell is escaped unless it is already Markup."""
    parts: list[Markup] = [Markup('<table class="{}">').format(css_class)]
    if header:
        parts.append(Markup("<tr>"))
        parts.extend(Markup("<th>{}</th>").format(h) for h in header)
        parts.append(Markup("</tr>"))
    for row in rows:
        parts.append(Markup("<tr>"))
        parts.extend(Markup("<td>{}</td>").format(cell(c)) for c in row)
        parts.append(Markup("</tr>"))
    parts.append(Markup("</table>"))
    return Markup("").join(parts)


def section(title: str, body: Markup) -> Markup:
    """A titled block of a task view."""
    return Markup('<div class="copse-section"><h3>{}</h3>{}</div>').format(title, body)


def answer(value: Any, labels: Mapping[Any, str] | None = None) -> Markup:
    """Show a coded answer as ``code — meaning`` when the code is known.

    A value outside ``labels`` is shown raw and marked, so an out-of-range
    answer is visible rather than silently dropped.
    """
    if value is None:
        return NULL_HTML
    if labels:
        key: Any = value
        if isinstance(value, bool) or (isinstance(value, float) and value.is_integer()):
            key = int(value)
        elif isinstance(value, str):
            key = value.strip().upper()
        if isinstance(key, (int, str)) and key in labels:
            return Markup("{} — {}").format(key, labels[key])
        return Markup('{} <span class="copse-invalid">(not a permitted answer)</span>').format(
            value_html(value)
        )
    return value_html(value)


def format_summary_value(value: Any, out_of: float | None = None) -> Markup:
    """Render a summary value (booleans as Yes/No, floats to two places)."""
    if value is None:
        shown = NULL_HTML
    elif isinstance(value, bool):
        shown = Markup("Yes") if value else Markup("No")
    elif isinstance(value, float):
        shown = escape(f"{value:.2f}")
    else:
        shown = value_html(value)
    if out_of is not None and value is not None and not isinstance(value, bool):
        return Markup("{} / {}").format(shown, out_of)
    return shown


def summary_table(complete: bool | None, summaries: Sequence[Summary]) -> Markup:
    """The box at the top of every task view: completeness, then each score."""
    if complete is None:
        complete_html = Markup('<span class="copse-unknown">Unknown</span>')
    elif complete:
        complete_html = Markup('<span class="copse-complete">Yes</span>')
    else:
        complete_html = Markup('<span class="copse-incomplete">No</span>')
    rows: list[Sequence[HtmlCell]] = [
        ("Complete", "Whether all required answers are present", complete_html)
    ]
    for s in summaries:
        rows.append((s.name, s.description, format_summary_value(s.value, s.out_of)))
    return table(rows, header=("Summary", "Meaning", "Value"), css_class="copse-summary")


def _safe_url(url: str | None) -> str | None:
    """Only relative, http and https URLs may reach an ``src``/``href``."""
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("", "http", "https") else None


def blob_html(blob_id: Any, blobs: Mapping[int, BlobInfo], alt: str = "image") -> Markup:
    """Show a referenced BLOB: an image if the web layer gave a URL, else a note."""
    if blob_id is None:
        return NULL_HTML
    info = (
        blobs.get(blob_id) if isinstance(blob_id, int) and not isinstance(blob_id, bool) else None
    )
    if info is None:
        return escape(f"(BLOB {blob_id!s} not available)")
    url = _safe_url(info.url)
    label = info.filename or f"BLOB {blob_id}"
    if url is None:
        return escape(f"({label}; {info.mimetype or 'unknown type'}; not viewable here)")
    if (info.mimetype or "").lower().startswith("image/"):
        style = ""
        if (
            info.rotation_deg_cw
            and isinstance(info.rotation_deg_cw, int)
            and info.rotation_deg_cw % 360
        ):
            style = f"transform: rotate({info.rotation_deg_cw % 360}deg);"
        return Markup('<img class="copse-blob" src="{}" alt="{}"{}>').format(
            url, alt, Markup(' style="{}"').format(style) if style else Markup("")
        )
    return Markup('<a class="copse-blob" href="{}">{}</a>').format(url, label)


def record_html(
    tablename: str,
    row: Mapping[str, Any],
    blobs: Mapping[int, BlobInfo] | None = None,
) -> Markup:
    """A field/value table of every client column of any client table.

    This is the view of last resort (tasks without a module, ancillary rows,
    core rows): nothing is interpreted, but every column the registry knows
    is shown, with BLOB references turned into images where possible.
    """
    info = TABLES[tablename]
    rows: list[Sequence[HtmlCell]] = []
    for col in info.columns:
        v = row.get(col.name)
        if col.name in info.blob_id_columns and blobs is not None and v is not None:
            shown = Markup("{} {}").format(value_html(v), blob_html(v, blobs, col.name))
        else:
            shown = value_html(v, col.kind)
        rows.append((col.name, shown))
    return table(rows, header=("Field", "Value"), css_class="copse-fields")


def records_html(
    tablename: str,
    rows: Sequence[Mapping[str, Any]],
    blobs: Mapping[int, BlobInfo] | None = None,
) -> Markup:
    """Several rows of one (ancillary) table as a column-per-field grid."""
    info = TABLES[tablename]
    if not rows:
        return Markup('<p class="copse-empty">(none)</p>')
    body: list[Sequence[HtmlCell]] = []
    for r in rows:
        cells: list[HtmlCell] = []
        for col in info.columns:
            v = r.get(col.name)
            if col.name in info.blob_id_columns and blobs is not None and v is not None:
                cells.append(blob_html(v, blobs, col.name))
            else:
                cells.append(value_html(v, col.kind))
        body.append(cells)
    return table(body, header=[c.name for c in info.columns], css_class="copse-records")
