"""Server settings kept in the database (``_server_settings``, one row, id 1).

The CLI (``copse settings set``) and the web settings page both change them
through here, so the rules (one line, not empty, at most 255 characters) are
the same everywhere. The database title is what tablets show on registering,
and the web shows in its header, its login page and its PDFs.
"""

from __future__ import annotations

import sqlalchemy as sa

from copse.schema.tables import server_settings

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
