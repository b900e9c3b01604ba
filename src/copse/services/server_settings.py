"""Server settings kept in the database (``_server_settings``, one row, id 1).

The CLI (``copse settings set``) and the web settings page both change them
through here, so the rules (one line, not empty, at most 255 characters) are
the same everywhere. The database title is what tablets show on registering,
and the web shows in its header, its login page and its PDFs.
"""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa

from copse.schema.tables import groups, idnum_definitions, server_settings

TITLE_MAX = 255


def database_title(conn: sa.Connection) -> str:
    """The stored database title, or "" when none has been set."""
    title = conn.execute(
        sa.select(server_settings.c.database_title).where(server_settings.c.id == 1)
    ).scalar()
    return str(title or "")


def title_problem(title: str) -> str | None:
    """Why ``title`` cannot be the database title, or None if it can."""
    if "\n" in title or "\r" in title:
        return "The database title must be one line"
    if not title.strip():
        return "The database title must not be empty (tablets show it)"
    if len(title) > TITLE_MAX:
        return f"The database title must be at most {TITLE_MAX} characters"
    if any(not c.isprintable() for c in title):
        return "The database title must not contain control characters"
    return None


def set_database_title(conn: sa.Connection, title: str) -> None:
    """Store the title (the caller has checked it with :func:`title_problem`)."""
    if conn.execute(sa.select(server_settings.c.id).where(server_settings.c.id == 1)).first():
        conn.execute(
            sa.update(server_settings).where(server_settings.c.id == 1).values(database_title=title)
        )
    else:
        conn.execute(sa.insert(server_settings).values(id=1, database_title=title))


class TabletIdInfo(NamedTuple):
    """What a tablet is told on registering and on ``get_id_info`` (wire.md §3.6).

    Absent values are "" (no title set, a user without an upload group, a
    definition without a short name or validation method).
    """

    title: str
    upload_policy: str
    finalize_policy: str
    #: (which_idnum, description, short description, validation method), in order.
    definitions: list[tuple[int, str, str, str]]


def _group_column(column: sa.Column[str]) -> sa.ScalarSelect[str]:
    return sa.select(column).where(groups.c.id == sa.bindparam("group_id")).scalar_subquery()


#: The database title and the group's ID policies, in one round trip (the
#: group's NULL when the user has none); built once, like the next (perf:
#: every conversation asks).
_TITLE_AND_POLICIES = sa.select(
    sa.select(server_settings.c.database_title).limit(1).scalar_subquery(),
    _group_column(groups.c.upload_policy),
    _group_column(groups.c.finalize_policy),
)
_ID_DEFINITIONS = sa.select(
    idnum_definitions.c.which_idnum,
    idnum_definitions.c.description,
    idnum_definitions.c.short_description,
    idnum_definitions.c.validation_method,
).order_by(idnum_definitions.c.which_idnum)


def tablet_id_info(conn: sa.Connection, group_id: int | None) -> TabletIdInfo:
    """The title, the upload group's policies and the ID number definitions."""
    title, upload, finalize = conn.execute(_TITLE_AND_POLICIES, {"group_id": group_id}).one()
    definitions = [
        (int(n), desc or "", short or "", method or "")
        for n, desc, short, method in conn.execute(_ID_DEFINITIONS)
    ]
    return TabletIdInfo(title or "", upload or "", finalize or "", definitions)
