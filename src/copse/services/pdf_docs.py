"""PDFs of one task, of a patient's trackers and of their clinical text view.

The callers (web views) have found the rows with visibility applied; this
module only lays them out (:mod:`copse.services.pdf_layout` draws the page
furniture and the charts). A task whose values are missing, out of range or
whose rules fail still prints: missing answers are marked, the failure is
logged and said on the page, and nothing is left out silently.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from copse.records import rows as records
from copse.services.clinical import ClinicalTask, Tracker, short_result
from copse.services.patient_search import IdNumber
from copse.services.pdf_header import PdfHeader
from copse.services.server_settings import database_title
from copse.tasks.base import TaskData
from copse.tasks.catalogue import get_task
from copse.tasks.meta import format_number
from copse.wire.dates import parse_datetime

logger = logging.getLogger(__name__)


def patient_header(
    conn: sa.Connection, patient: Mapping[Any, Any] | None, fallback_title: str, now: datetime
) -> PdfHeader:
    """The identifying line of every page; an anonymous task says so."""
    title = database_title(conn) or fallback_title
    if patient is None:
        return PdfHeader("Anonymous task (no patient)", None, (), title, now)
    name = ", ".join(str(patient[k]) for k in ("surname", "forename") if patient[k]) or "(no name)"
    idnums = tuple(
        IdNumber(
            int(i.which_idnum), int(i.idnum_value), str(i.short_description or f"ID{i.which_idnum}")
        ).text
        for i in records.idnums_of(conn, patient)
        if i.idnum_value is not None
    )
    return PdfHeader(name, str(patient["dob"]) if patient["dob"] else None, idnums, title, now)


def _when(text: object) -> str:
    try:
        dt = parse_datetime(str(text).strip())
    except ValueError:
        return str(text) if text else "unknown"
    return dt.strftime("%d %b %Y %H:%M %z").replace("+0000", "UTC")


def _value_text(value: object) -> str:
    if value is None:
        return "(missing)"
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return f"(binary, {len(bytes(value))} bytes)"
    return str(value)


def task_pdf(conn: sa.Connection, table: str, row: Mapping[Any, Any], head: PdfHeader) -> bytes:
    """One task with its result, risk flags, scores, every answer and a signature box."""
    # The PDF library, imported when a PDF is drawn (copse.services.pdf_header).
    from copse.services.pdf_layout import Document

    definition = get_task(table)
    doc = Document(head, f"{definition.shortname} task")
    doc.heading(f"{definition.longname} ({definition.shortname})")
    data: TaskData | None = None
    failed = False
    try:
        data = records.load_task_data(conn, table, row)
    except Exception:
        logger.exception("PDF: could not load %s _pk=%s", table, row["_pk"])
        failed = True
    facts: list[tuple[str, str]] = [
        ("Created", _when(row.get("when_created"))),
        ("Record", f"{table}, server PK {row['_pk']}"),
    ]
    summaries: list[tuple[str, str]] = []
    flags: list[str] = []
    if data is not None:
        try:
            complete = definition.is_complete(data)
            if definition.has_logic:
                facts.append(("Result", short_result(definition, data) or "-"))
            facts.append(
                ("Complete", {True: "yes", False: "NO - incomplete", None: "not known"}[complete])
            )
            flags = [f.message for f in definition.risk_flags(data)]
            for s in definition.summaries(data):
                value = _value_text(s.value) if s.value is not None else "(not scored)"
                if s.out_of is not None and s.value is not None:
                    value += f" / {format_number(s.out_of)}"
                summaries.append((s.description or s.name, value))
        except Exception:
            logger.exception("PDF: scoring failed for %s _pk=%s", table, row["_pk"])
            failed = True
    doc.pairs(facts, key_width=35)
    if failed:
        doc.para("This task could not be scored; its answers are shown as stored.", "B")
    for message in flags:
        doc.set_text_color(160, 40, 20)
        doc.para(f"RISK: {message}", "B")
        doc.set_text_color(0, 0, 0)
    if summaries:
        doc.ln(2)
        doc.heading("Scores", 11)
        doc.pairs(summaries)
    doc.ln(2)
    doc.heading("Answers as recorded", 11)
    answers = []
    for column, value in records.client_values(table, row).items():
        if column in ("id", "patient_id", "when_created", "when_last_modified", "_move_off_tablet"):
            continue
        label = definition.column_meaning(table, column)
        answers.append((f"{column}: {label}" if label else column, _value_text(value)))
    doc.pairs(answers)
    doc.signature_box()
    return doc.output_bytes()


def tracker_pdf(head: PdfHeader, trackers: Sequence[Tracker]) -> bytes:
    """Every tracker chart of the patient, with the values listed under each."""
    # The PDF library, imported when a PDF is drawn (copse.services.pdf_header).
    from copse.services.pdf_layout import Document, draw_tracker

    doc = Document(head, "Tracker")
    doc.heading("Tracker: scores over time")
    if not trackers:
        doc.para("No scored tasks with a tracker for this patient.")
    for t in trackers:
        if doc.will_page_break(90):
            doc.add_page()
        doc.heading(f"{t.definition.longname} ({t.definition.shortname}): {t.spec.label}", 11)
        draw_tracker(doc, t.spec, t.points)
    return doc.output_bytes()


def clinical_pdf(head: PdfHeader, tasks: Sequence[ClinicalTask]) -> bytes:
    """Every task of the patient in time order, one line each, as the text view."""
    # The PDF library, imported when a PDF is drawn (copse.services.pdf_header).
    from copse.services.pdf_layout import Document

    doc = Document(head, "Clinical text view")
    doc.heading("Clinical text view")
    if not tasks:
        doc.para("No tasks you may see.")
    rows = []
    for t in tasks:
        when = t.when.strftime("%d %b %Y %H:%M UTC") if t.when else (t.when_text or "date unknown")
        line = t.summary
        if t.complete is False and "incomplete" not in line:
            line += " (incomplete)"
        for f in t.flags:
            if f.message not in line:
                line += f"; RISK: {f.message}"
        rows.append((when, line))
    doc.pairs(rows, key_width=40)
    return doc.output_bytes()
