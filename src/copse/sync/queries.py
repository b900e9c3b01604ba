"""The Core statements of the upload engine, all set-based.

Speed comes from the number of round trips, so every helper here works on a
whole set of rows: one SELECT per table for the device's live rows, one
multi-row INSERT per table, and UPDATE/DELETE statements keyed by IN lists
(chunked, so no statement grows without bound).

New rows' ``_pk`` values are read back with one SELECT by (device, era,
state, client PK) rather than with ``INSERT ... RETURNING``: the engine keeps
the read-back unambiguous (at most one pending or current row per client PK),
and the only RETURNING form that guarantees the rows' order
(SQLAlchemy's ``sort_by_parameter_order``) measured 8x slower than a plain
bulk insert on PostgreSQL and 1.3x on MariaDB (bench/NOTES.md), far more
than the read-back costs.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any, NamedTuple

import sqlalchemy as sa

from copse.db.bulk import insert_dicts
from copse.db.inlist import int_list, ints_or_bound
from copse.db.probe import Binds, TableProbe, tables_holding_rows
from copse.schema.columns import ERA_NOW
from copse.schema.registry import TABLES
from copse.schema.tables import CLIENT_TABLES, CLIENT_TABLES_BY_NAME, special_notes

CHUNK = 500


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class LiveRow(NamedTuple):
    """One ``_era='NOW'`` row of the device, as the upsert needs it."""

    pk: int
    client_pk: Any
    when: str | None
    move_off: bool
    current: bool
    addition_pending: bool
    removal_pending: bool


#: Bits of :func:`fetch_live`'s ``flags`` column.
_CURRENT, _ADDITION_PENDING, _REMOVAL_PENDING, _MOVE_OFF = 1, 2, 4, 8


def fetch_live(
    conn: sa.Connection,
    table_name: str,
    pkname: str | None,
    device_id: int,
    *,
    which: str = "live",
    client_pks: Sequence[Any] | None = None,
) -> list[LiveRow]:
    """The device's NOW-era rows of one table, in ONE query.

    ``which``: ``"current"`` (current rows only), ``"live"`` (current rows and
    pending additions; what a stepwise upload compares against) or ``"all"``
    (every NOW row, including history; what a one-step finalize preserves).
    ``client_pks`` narrows the fetch to those records (``upload_record``).
    """
    q = _live_query(table_name, pkname, which)
    if client_pks is not None and pkname:
        q = q.where(CLIENT_TABLES[table_name].c[pkname].in_(ints_or_bound(list(client_pks))))
    return [
        LiveRow(
            r[0],
            r[1],
            r[2],
            bool(r[3] & _MOVE_OFF),
            bool(r[3] & _CURRENT),
            bool(r[3] & _ADDITION_PENDING),
            bool(r[3] & _REMOVAL_PENDING),
        )
        for r in conn.execute(q, {"device_id": device_id})
    ]


@functools.lru_cache(maxsize=1024)
def _live_query(table_name: str, pkname: str | None, which: str) -> sa.Select[Any]:
    """:func:`fetch_live`'s statement, the device a parameter: built once per
    (table, pkname, which) (perf: building a statement and its cache key on
    every request of a conversation, as round eleven found for the others).

    The four flags come as the bits of one integer: perf: PyMySQL decodes
    every value in Python (~0.5 us each), and a stepwise upload fetches every
    live row of the device once per table.
    """
    t = CLIENT_TABLES[table_name]
    cpk = t.c[pkname] if pkname else sa.null()
    # The server's flags are booleans; the client's _move_off_tablet is set
    # when non-zero (as the commit reads it).
    flags = (
        _bit(t.c._current == sa.true(), _CURRENT)
        + _bit(t.c._addition_pending == sa.true(), _ADDITION_PENDING)
        + _bit(t.c._removal_pending == sa.true(), _REMOVAL_PENDING)
        + _bit(t.c._move_off_tablet != 0, _MOVE_OFF)
    )
    q = sa.select(t.c._pk, cpk, t.c.when_last_modified, flags).where(
        t.c._device_id == sa.bindparam("device_id"), t.c._era == ERA_NOW
    )
    if which == "current":
        q = q.where(t.c._current == sa.true())
    elif which == "live":
        q = q.where(sa.or_(t.c._current == sa.true(), t.c._addition_pending == sa.true()))
    return q


def _bit(condition: sa.ColumnElement[bool], value: int) -> sa.ColumnElement[int]:
    """``value`` where ``condition`` holds, else 0 (NULL counts as false).

    The numbers are SQL constants, not parameters: nothing for the driver to
    bind on each fetch.
    """
    return sa.case(
        (condition, sa.literal_column(str(int(value)), sa.Integer())),
        else_=sa.literal_column("0", sa.Integer()),
    )


def tables_with_live_rows(
    conn: sa.Connection, table_names: Sequence[str], device_id: int, *, which: str = "live"
) -> set[str]:
    """Which of these tables hold NOW rows of the device, of the kind ``which`` names.

    ``which`` as for :func:`fetch_live`: ``"live"`` (current rows or pending
    additions), ``"current"`` or ``"all"`` (any NOW row, history included).
    One statement per 50 tables (``SELECT EXISTS(..), EXISTS(..), ...``), so a
    client that lists ~150 empty tables costs a few round trips, not 150.
    """

    return _live_probe(tuple(table_names), which).run(conn, {"device_id": device_id})


@functools.lru_cache(maxsize=64)
def _live_probe(table_names: tuple[str, ...], which: str) -> TableProbe:
    """The probe of :func:`tables_with_live_rows`, built once per (tables, which).

    perf: building its statements was most of a no-change one-step upload's
    engine time (~150 ``EXISTS`` clauses per request).  The few distinct keys
    (commit order, a client's table list) keep the cache small.
    """

    def live(t: sa.Table, bind: Binds) -> sa.ColumnElement[bool]:
        cond = sa.and_(
            t.c._device_id == bind("device_id", sa.Integer()),
            t.c._era == bind("era_now", sa.String(), ERA_NOW),
        )
        if which == "current":
            return sa.and_(cond, t.c._current == sa.true())
        if which == "live":
            return sa.and_(
                cond, sa.or_(t.c._current == sa.true(), t.c._addition_pending == sa.true())
            )
        return cond

    return TableProbe([CLIENT_TABLES[n] for n in table_names], live)


def insert_rows(conn: sa.Connection, table_name: str, rows: list[dict[str, Any]]) -> None:
    """Bulk insert: ``COPY`` on PostgreSQL, multi-row INSERTs elsewhere (:mod:`copse.db.bulk`).

    perf: a first upload's rows go in by ``COPY`` (1,111 rows: 314 -> 256-264 ms
    for the whole conversation); a table with a BLOB column keeps the INSERT,
    whose binary parameters beat ``COPY``'s text form of photos.
    """
    if not rows:
        return
    t = CLIENT_TABLES[table_name]
    copy = not _has_blob_column(table_name)
    for part in chunks(rows):
        if copy:
            insert_dicts(conn, t, part)
        else:
            conn.execute(t.insert(), list(part))


@functools.cache
def _has_blob_column(table_name: str) -> bool:
    return any(c.kind == "blob" for c in TABLES[table_name].columns)


def read_back_pks(
    conn: sa.Connection,
    table_name: str,
    pkname: str,
    device_id: int,
    client_pks: Sequence[Any],
    *,
    pending: bool,
) -> dict[Any, int]:
    """Map client PK -> ``_pk`` of the just-inserted rows (pending or current)."""
    t = CLIENT_TABLES[table_name]
    state = t.c._addition_pending if pending else t.c._current
    out: dict[Any, int] = {}
    for part in chunks(list(client_pks)):
        q = sa.select(t.c[pkname], t.c._pk).where(
            t.c._device_id == device_id,
            t.c._era == ERA_NOW,
            state == sa.true(),
            t.c[pkname].in_(ints_or_bound(part)),
        )
        for cpk, pk in conn.execute(q):
            out[cpk] = pk
    return out


def update_pks(
    conn: sa.Connection, table_name: str, pks: Iterable[int], values: Mapping[str, Any]
) -> int:
    """One UPDATE per chunk of pks; returns the number of rows matched."""
    t = CLIENT_TABLES[table_name]
    pk_list = sorted(set(pks))
    n = 0
    for part in chunks(pk_list):
        n += (
            conn.execute(sa.update(t).where(t.c._pk.in_(int_list(part))).values(**values)).rowcount
            or 0
        )
    return n


def update_by_case(
    conn: sa.Connection,
    table_name: str,
    column: str,
    mapping: Mapping[int, Any],
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Set ``column`` to a per-row value (``CASE _pk WHEN .. THEN ..``), set-based."""
    t = CLIENT_TABLES[table_name]
    items = sorted(mapping.items())
    for part in chunks(items):
        d = dict(part)
        values: dict[str, Any] = {column: sa.case(d, value=t.c._pk)}
        if extra:
            values.update(extra)
        conn.execute(sa.update(t).where(t.c._pk.in_(int_list(d))).values(**values))


def delete_pks(conn: sa.Connection, table_name: str, pks: Iterable[int]) -> None:
    t = CLIENT_TABLES[table_name]
    for part in chunks(sorted(set(pks))):
        conn.execute(sa.delete(t).where(t.c._pk.in_(int_list(part))))


def predecessor_chains(conn: sa.Connection, table_name: str, start_pks: Iterable[int]) -> set[int]:
    """The given pks plus every ancestor via ``_predecessor_pk``.

    Like the reference, the walk is not limited by era or device.  It is
    set-based: one query per generation, for all chains at once.
    """
    t = CLIENT_TABLES[table_name]
    seen: set[int] = set(start_pks)
    frontier = sorted(seen)
    while frontier:
        parents: set[int] = set()
        for part in chunks(frontier):
            q = sa.select(t.c._predecessor_pk).where(
                t.c._pk.in_(int_list(part)), t.c._predecessor_pk.is_not(None)
            )
            parents.update(p for (p,) in conn.execute(q))
        frontier = sorted(parents - seen)
        seen.update(frontier)
    return seen


def era_in_use(
    conn: sa.Connection,
    device_id: int,
    era: str,
    table_names: Iterable[str],
    holding: AbstractSet[str] | None = None,
) -> bool:
    """Whether any row of the device in these tables already has this era.

    ``holding``: which of the tables hold any row, if the caller has just
    asked (:meth:`copse.db.probe.TableProbe.run`).
    """
    probe = _era_probe(tuple(table_names))
    return bool(probe.run(conn, {"device_id": device_id, "era": era}, holding=holding))


def client_tables_holding_rows(conn: sa.Connection) -> frozenset[str]:
    """Which client tables hold any row at all (any device, any era)."""
    return frozenset(tables_holding_rows(conn, CLIENT_TABLES_BY_NAME))


@functools.lru_cache(maxsize=16)
def _era_probe(table_names: tuple[str, ...]) -> TableProbe:
    """The probe of :func:`era_in_use`, built once per table list (perf: building
    ~150 ``EXISTS`` clauses was half of a finalizing upload's engine time)."""

    def has_era(t: sa.Table, bind: Binds) -> sa.ColumnElement[bool]:
        return sa.and_(
            t.c._device_id == bind("device_id", sa.Integer()), t.c._era == bind("era", sa.String())
        )

    return TableProbe([CLIENT_TABLES[n] for n in table_names], has_era)


def move_notes_for_table(conn: sa.Connection, table_name: str, device_id: int, era: str) -> None:
    """Move NOW notes of this table whose target record now lives in ``era`` (§6.3 item 2)."""
    t = CLIENT_TABLES[table_name]
    target = sa.exists(
        sa.select(sa.literal(1))
        .select_from(t)
        .where(t.c.id == special_notes.c.task_id, t.c._device_id == device_id, t.c._era == era)
    )
    conn.execute(
        sa.update(special_notes)
        .where(
            special_notes.c.basetable == table_name,
            special_notes.c.device_id == device_id,
            special_notes.c.era == ERA_NOW,
            target,
        )
        .values(era=era)
    )


def move_all_notes(conn: sa.Connection, device_id: int, era: str) -> None:
    """Move every NOW-era special note of the device to ``era`` (§6.3 items 1 and 3)."""
    conn.execute(
        sa.update(special_notes)
        .where(special_notes.c.device_id == device_id, special_notes.c.era == ERA_NOW)
        .values(era=era)
    )
