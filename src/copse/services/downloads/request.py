"""A download request: its options as JSON, and the checks made before it starts.

Why here: the web form (and the read API) must refuse a bad or forbidden
download *before* anything is written or queued, with the same messages as
``copse export``; and a background job stores its request in the database,
so the options travel as JSON and are read back exactly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from copse.accounts.users import User
from copse.schema.tables import groups, idnum_definitions
from copse.services.export import ExportError, ExportFilter, ExportOptions
from copse.services.export.access import downloadable_groups, groups_to_export
from copse.services.export.options import (
    Era,
    Format,
    check_dates,
    check_xlsx_rows,
    parse_date,
    parse_era,
    parse_format,
    parse_task_types,
)
from copse.services.export.source import candidate_counts


def may_download(conn: sa.Connection, user: User) -> bool:
    """Superuser, or a member of at least one group with "may download data"."""
    allowed = downloadable_groups(conn, user)
    return allowed is None or bool(allowed)


def to_json(opts: ExportOptions) -> str:
    f = opts.filter
    return json.dumps(
        {
            "format": opts.format,
            "all_versions": opts.all_versions,
            "deidentify": opts.deidentify,
            "blobs": opts.blobs,
            "group_ids": list(f.group_ids),
            "task_types": list(f.task_types),
            "which_idnum": f.which_idnum,
            "idnum_value": f.idnum_value,
            "created_from": f.created_from.isoformat() if f.created_from else None,
            "created_to": f.created_to.isoformat() if f.created_to else None,
            "complete_only": f.complete_only,
            "era": f.era,
        },
        sort_keys=True,
    )


def _day(v: Any) -> date | None:
    return date.fromisoformat(v) if v else None


def from_json(text: str) -> ExportOptions:
    """The options a job stored; checked again, as the registry may have changed."""
    d = json.loads(text)
    return ExportOptions(
        format=parse_format(d["format"]),
        filter=ExportFilter(
            group_ids=tuple(int(g) for g in d["group_ids"]),
            task_types=parse_task_types(list(d["task_types"])),
            which_idnum=d["which_idnum"],
            idnum_value=d["idnum_value"],
            created_from=_day(d["created_from"]),
            created_to=_day(d["created_to"]),
            complete_only=bool(d["complete_only"]),
            era=parse_era(d["era"]),
        ),
        all_versions=bool(d["all_versions"]),
        deidentify=bool(d["deidentify"]),
        blobs=bool(d["blobs"]),
    )


def prepare(conn: sa.Connection, user: User, opts: ExportOptions) -> int:
    """Check a request as a download would, and estimate its task rows.

    Raises :class:`ExportError` naming the field for: dates the wrong way
    round, an ID number type that is not defined, unknown groups, groups the
    user may not download, an Excel table over Excel's row limit.  The
    estimate is the number of rows the SQL filters pass (an upper bound).
    """
    f = opts.filter
    check_dates(f)
    if f.which_idnum is not None:
        known = conn.execute(
            sa.select(idnum_definitions.c.which_idnum).where(
                idnum_definitions.c.which_idnum == f.which_idnum
            )
        ).first()
        if known is None:
            raise ExportError(f"which_idnum: there is no ID number type {f.which_idnum}")
    groups = groups_to_export(conn, user, f)
    total = 0
    for t, n in candidate_counts(conn, f, groups, opts.all_versions).items():
        if opts.format == "xlsx":
            check_xlsx_rows(t, n)
        total += n
    return total


def group_choices(conn: sa.Connection, user: User) -> list[tuple[int, str]]:
    """(id, name) of the groups whose data ``user`` may download, by name."""
    allowed = downloadable_groups(conn, user)
    q = sa.select(groups.c.id, groups.c.name).order_by(groups.c.name)
    if allowed is not None:
        q = q.where(groups.c.id.in_(sorted(allowed)))
    return [(int(i), str(n)) for i, n in conn.execute(q)]


#: Task-list filters a download cannot apply: given, they are reported, not ignored.
UNSUPPORTED = {
    "forename": "Forename",
    "surname": "Surname",
    "dob": "Date of birth",
    "sex": "Sex",
    "device_id": "Device",
    "adding_user_id": "Added by",
}
CHECKED = ("1", "on", "true")


#: Form fields: name -> the values given (a web form's, or the read API's JSON body).
Fields = Mapping[str, Sequence[str]]

#: Longest whole number accepted in a field (a 64-bit integer has at most 19 digits).
MAX_INT_DIGITS = 19


def _int(text: str) -> int | None:
    """The whole number written in ``text``, or None if blank or not one."""
    text = text.strip()
    if not text or len(text) > MAX_INT_DIGITS or not text.lstrip("-").isdigit():
        return None
    return int(text)


def _one(values: Fields, name: str) -> str:
    v = values.get(name)
    return v[0].strip() if v else ""


def unsupported_filters(values: Fields) -> list[str]:
    """Labels of the task-list filters in ``values`` that a download cannot apply."""
    return [label for name, label in UNSUPPORTED.items() if _one(values, name)]


def options_from_fields(values: Fields) -> tuple[ExportOptions | None, list[str]]:
    """The download asked for, or None and one message per bad field.

    ``values``: field name -> values, as a web form or the read API's JSON body
    sends them (the task list's filter names, plus format and options).
    """
    errors: list[str] = []
    for name, label in UNSUPPORTED.items():
        if _one(values, name):
            errors.append(f"{name}: downloads cannot filter by {label}; clear it")
    fmt: Format = "csv"
    try:
        fmt = parse_format(_one(values, "format") or "csv")
    except ExportError as exc:
        errors.append(exc.message)
    group_ids: list[int] = []
    for text in values.get("group_id", []):
        if not text.strip():
            continue
        g = _int(text)
        if g is None:
            errors.append(f"group_id: {text!r} is not a group id")
        else:
            group_ids.append(g)
    task_types: tuple[str, ...] = ()
    try:
        task_types = parse_task_types([t for t in values.get("task_type", []) if t.strip()])
    except ExportError as exc:  # named "task" as the CLI option; here the field is task_type
        errors.append(exc.message.replace("task:", "task_type:", 1))
    which_text, value_text = _one(values, "which_idnum"), _one(values, "idnum_value")
    which, value = _int(which_text), _int(value_text)
    if which_text and which is None:
        errors.append(f"which_idnum: {which_text!r} is not an ID number type")
    if value_text and value is None:
        errors.append(f"idnum_value: {value_text!r} is not a whole number")
    if bool(which_text) != bool(value_text):
        errors.append("idnum_value: an ID number filter needs both the type and the number")
    dates: dict[str, date | None] = {}
    for name in ("created_from", "created_to"):
        text = _one(values, name)
        dates[name] = None
        if text:
            try:
                dates[name] = parse_date(name, text)
            except ExportError as exc:
                errors.append(exc.message)
    era: Era = "all"
    try:
        era = parse_era(_one(values, "era") or "all")
    except ExportError as exc:
        errors.append(exc.message)
    if errors:
        return None, errors
    return (
        ExportOptions(
            format=fmt,
            filter=ExportFilter(
                group_ids=tuple(dict.fromkeys(group_ids)),
                task_types=task_types,
                which_idnum=which if value is not None else None,
                idnum_value=value if which is not None else None,
                created_from=dates["created_from"],
                created_to=dates["created_to"],
                complete_only=_one(values, "complete_only") in CHECKED,
                era=era,
            ),
            all_versions=_one(values, "all_versions") in CHECKED,
            deidentify=_one(values, "deidentify") in CHECKED,
            blobs=_one(values, "blobs") in CHECKED,
        ),
        [],
    )
