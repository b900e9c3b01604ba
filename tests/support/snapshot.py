"""Whole-database snapshots, to prove that a refused request changed nothing."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from copse.schema.tables import metadata
from tests.support.databases import nonempty_tables

#: Bookkeeping that a refused request may legitimately touch: its login
#: session, the audit of failed logins and the lockout counters.
BOOKKEEPING = frozenset(
    {
        "_security_webviewer_sessions",
        "_security_audit",
        "_security_login_failures",
        "_security_account_lockouts",
    }
)


def snapshot(
    engine: sa.Engine, *, include_bookkeeping: bool = False
) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        nonempty = nonempty_tables(conn)  # empty tables need no SELECT of their own
        for t in metadata.sorted_tables:
            if t.name in BOOKKEEPING and not include_bookkeeping:
                continue
            if t.name not in nonempty:
                out[t.name] = []
                continue
            rows = conn.execute(sa.select(t).order_by(*t.primary_key.columns)).all()
            out[t.name] = [tuple(r) for r in rows]
    return out


def diff(
    before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]
) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]
