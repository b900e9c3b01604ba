"""The new primary key of a single-row INSERT.

SQLAlchemy types ``inserted_primary_key`` as optional (it is ``None`` for
multi-row inserts); every caller here inserts one row and needs the integer
key, so the check lives once, here, instead of at each call.
"""

from __future__ import annotations

import sqlalchemy as sa


def insert_id(conn: sa.Connection, stmt: sa.Insert) -> int:
    """Run a one-row ``INSERT`` and return the new row's integer primary key."""
    key = conn.execute(stmt).inserted_primary_key
    if key is None or key[0] is None:
        raise RuntimeError(f"INSERT into {stmt.table} returned no primary key")
    return int(key[0])
