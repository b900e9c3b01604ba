"""A download request: its options as JSON, and the checks made before it starts.

Why here: the web form (and the read API) must refuse a bad or forbidden
download *before* anything is written or queued, with the same messages as
``copse export``; and a background job stores its request in the database,
so the options travel as JSON and are read back exactly.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import sqlalchemy as sa

from copse.accounts.users import User
from copse.schema.registry import TASK_TABLES
from copse.schema.tables import groups, idnum_definitions
from copse.services.export import ExportError, ExportFilter, ExportOptions
from copse.services.export.access import downloadable_groups, groups_to_export
from copse.services.export.options import check_dates, parse_era, parse_format, parse_task_types
from copse.services.export.source import count_candidates
from copse.services.export.xlsx_out import check_rows


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
    for t in f.task_types or TASK_TABLES:
        n = count_candidates(conn, t, f, groups, opts.all_versions)
        if opts.format == "xlsx":
            check_rows(t, n)
        total += n
    return total


def group_choices(conn: sa.Connection, user: User) -> list[tuple[int, str]]:
    """(id, name) of the groups whose data ``user`` may download, by name."""
    allowed = downloadable_groups(conn, user)
    q = sa.select(groups.c.id, groups.c.name).order_by(groups.c.name)
    if allowed is not None:
        q = q.where(groups.c.id.in_(sorted(allowed)))
    return [(int(i), str(n)) for i, n in conn.execute(q)]
