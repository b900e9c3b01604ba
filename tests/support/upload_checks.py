"""Independent SQL checks of what an upload left in the database.

Why: the upload tests must not trust the engine's own bookkeeping.  These
helpers read the stored rows directly and derive, from the data-model spec
alone, the invariants (data-model.md §3, §4.1) and the exact audit text an
upload must have written (§5.8, §12.2).
"""

from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from copse.schema.registry import COMMIT_ORDER
from copse.schema.tables import CLIENT_TABLES, metadata
from tests.support.databases import nonempty_tables

#: Tables a refused request may legitimately touch (its login session and the
#: audit/failed-login bookkeeping); everything else must be byte-identical.
BOOKKEEPING = frozenset(
    {
        "_security_webviewer_sessions",
        "_security_audit",
        "_security_login_failures",
        "_security_account_lockouts",
    }
)

ServerRow = dict[str, Any]


def device_id(engine: sa.Engine, name: str) -> int:
    with engine.connect() as c:
        v = c.execute(
            sa.text("SELECT id FROM _security_devices WHERE name = :n"), {"n": name}
        ).scalar()
    assert v is not None, f"device {name} not registered"
    return int(v)


def user_id(engine: sa.Engine, name: str) -> int:
    with engine.connect() as c:
        return int(
            c.execute(
                sa.text("SELECT id FROM _security_users WHERE username = :n"), {"n": name}
            ).scalar_one()
        )


def full_snapshot(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every non-bookkeeping table, all rows, ordered by primary key."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        nonempty = nonempty_tables(conn)  # empty tables need no SELECT of their own
        for t in metadata.sorted_tables:
            if t.name in BOOKKEEPING:
                continue
            out[t.name] = (
                [tuple(r) for r in conn.execute(sa.select(t).order_by(*t.primary_key.columns))]
                if t.name in nonempty
                else []
            )
    return out


def snapshot_diff(
    before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]
) -> list[str]:
    return sorted(n for n in before if before[n] != after.get(n))


def rows(engine: sa.Engine, table: str, *, device: int | None = None) -> list[ServerRow]:
    """All stored rows of a client table (optionally one device's), by ``_pk``."""
    t = CLIENT_TABLES[table]
    q = sa.select(t).order_by(t.c._pk)
    if device is not None:
        q = q.where(t.c._device_id == device)
    with engine.connect() as c:
        return [dict(r._mapping) for r in c.execute(q)]


def lifecycle_state(
    engine: sa.Engine, tables: Iterable[str] = COMMIT_ORDER
) -> dict[str, dict[int, tuple[Any, ...]]]:
    """Per table: _pk -> (_device_id, _era, _current, _successor_pk, _addition_pending)."""
    out: dict[str, dict[int, tuple[Any, ...]]] = {}
    with engine.connect() as c:
        for name in tables:
            t = CLIENT_TABLES[name]
            out[name] = {
                int(r[0]): (r[1], r[2], bool(r[3]), r[4], bool(r[5]))
                for r in c.execute(
                    sa.select(
                        t.c._pk,
                        t.c._device_id,
                        t.c._era,
                        t.c._current,
                        t.c._successor_pk,
                        t.c._addition_pending,
                    )
                )
            }
    return out


def expected_audit_descriptions(
    before: dict[str, dict[int, tuple[Any, ...]]],
    after: dict[str, dict[int, tuple[Any, ...]]],
    device: int,
) -> list[str]:
    """The per-table descriptions an upload must audit, derived from the row changes.

    added = new rows; modified out = rows current before, not now, with a
    successor; deleted = likewise without a successor; preserved = rows whose
    era left NOW; current = current rows afterwards that were (or became)
    part of this device's NOW data in this upload.
    """
    out = []
    for table in sorted(after):
        # A pending addition of an abandoned batch is rolled back by this
        # upload; SQLite may then hand its _pk to a new row, so treat such
        # PKs as absent before.
        b = {pk: v for pk, v in before.get(table, {}).items() if not v[4]}
        a = after[table]
        added = sorted(pk for pk, v in a.items() if pk not in b and v[0] == device)
        modified, deleted, preserved = [], [], []
        for pk, (dev, era, cur, succ, _pending) in a.items():
            if pk not in b or dev != device:
                continue
            _, era0, cur0, _, _ = b[pk]
            if cur0 and not cur:
                (modified if succ is not None else deleted).append(pk)
            if era0 == "NOW" and era != "NOW":
                preserved.append(pk)
        # Rows added and preserved in one go also count as preserved.
        for pk in added:
            if a[pk][1] != "NOW" and pk not in preserved:
                preserved.append(pk)
        preserved.sort()
        if not (added or modified or deleted or preserved):
            continue
        new_eras = {a[pk][1] for pk in preserved}
        current = sorted(
            pk
            for pk, (dev, era, cur, _, _) in a.items()
            if dev == device
            and cur
            and (era == "NOW" or (era in new_eras and (pk not in b or b[pk][1] == "NOW")))
        )
        parts = []
        if added:
            parts.append(f"{len(added)} added, PKs {added}")
        if modified:
            parts.append(f"{len(modified)} modified out, PKs {sorted(modified)}")
        if deleted:
            parts.append(f"{len(deleted)} deleted, PKs {sorted(deleted)}")
        if preserved:
            parts.append(f"{len(preserved)} preserved, PKs {preserved}")
        parts.append(f"current PKs {current}")
        out.append(f"{table} ({'; '.join(parts)})")
    return out


def expected_audit_text(
    before: dict[str, dict[int, tuple[Any, ...]]],
    after: dict[str, dict[int, tuple[Any, ...]]],
    device: int,
    username: str,
) -> str:
    descs = expected_audit_descriptions(before, after, device)
    return f"Upload from device {device}, username {username!r}: " + (
        ", ".join(descs) if descs else "No changes"
    )


def upload_audits(engine: sa.Engine) -> list[str]:
    """Details of every upload audit entry, oldest first."""
    with engine.connect() as c:
        return [
            str(r[0])
            for r in c.execute(
                sa.text(
                    "SELECT details FROM _security_audit "
                    "WHERE details LIKE 'Upload from device%' ORDER BY id"
                )
            )
        ]


_PART_RE = re.compile(r"(\d+) (added|modified out|deleted|preserved), PKs \[([\d, ]*)\]")


def parse_audit(text: str) -> dict[str, dict[str, int]]:
    """``{table: {"added": n, "modified out": n, "deleted": n, "preserved": n}}``."""
    m = re.match(r"Upload from device \d+, username '[^']*': (.*)$", text, re.DOTALL)
    assert m, f"not an upload audit: {text!r}"
    if m.group(1) == "No changes":
        return {}
    out: dict[str, dict[str, int]] = {}
    for tm in re.finditer(r"(\w+) \(([^()]*)\)", m.group(1)):
        counts: dict[str, int] = {}
        for pm in _PART_RE.finditer(tm.group(2)):
            n = int(pm.group(1))
            pks = [x for x in pm.group(3).split(",") if x.strip()]
            assert len(pks) == n, f"count {n} but PKs {pks} in {text!r}"
            counts[pm.group(2)] = n
        out[tm.group(1)] = counts
    return out


def check_invariants(
    engine: sa.Engine,
    tables: Iterable[str] = COMMIT_ORDER,
    *,
    completed: bool = True,
    device: int | None = None,
) -> list[str]:
    """Violations of the record-lifecycle invariants, as readable strings.

    * at most one current row per (table, device, era, client id);
    * predecessor/successor links are mutual, within one table, device, era
      and client id; a row with a successor is not current;
    * after a completed upload (``completed``): no pending additions or
      removals, no ``_move_off_tablet`` flag left set, and every current row
      is not pending.  With ``device``, the "completed" checks apply only to
      that device's rows (other devices may legitimately have a batch open).
    """
    problems: list[str] = []
    with engine.connect() as c:
        for name in tables:
            t = CLIENT_TABLES[name]
            data = [
                dict(r._mapping)
                for r in c.execute(
                    sa.select(
                        t.c._pk,
                        t.c._device_id,
                        t.c._era,
                        t.c._current,
                        t.c._predecessor_pk,
                        t.c._successor_pk,
                        t.c._addition_pending,
                        t.c._removal_pending,
                        t.c._move_off_tablet,
                        t.c.id,
                    )
                )
            ]
            if not data:
                continue
            by_pk = {r["_pk"]: r for r in data}
            lineage = Counter((r["_device_id"], r["_era"], r["id"]) for r in data if r["_current"])
            for key, n in lineage.items():
                if n > 1:
                    problems.append(f"{name}: {n} current rows for (device, era, id)={key}")
            for r in data:
                done = completed and (device is None or r["_device_id"] == device)
                s = r["_successor_pk"]
                if s is not None:
                    sr = by_pk.get(s)
                    if sr is None:
                        problems.append(f"{name} _pk={r['_pk']}: successor {s} missing")
                    else:
                        if sr["_predecessor_pk"] != r["_pk"]:
                            problems.append(
                                f"{name} _pk={r['_pk']}: successor {s} "
                                f"has predecessor {sr['_predecessor_pk']}"
                            )
                        if (sr["_device_id"], sr["_era"], sr["id"]) != (
                            r["_device_id"],
                            r["_era"],
                            r["id"],
                        ):
                            problems.append(
                                f"{name} _pk={r['_pk']}: successor {s} in another lineage/era"
                            )
                    if r["_current"] and done:
                        problems.append(f"{name} _pk={r['_pk']}: current but has successor {s}")
                p = r["_predecessor_pk"]
                if p is not None:
                    pr = by_pk.get(p)
                    if pr is None:
                        problems.append(f"{name} _pk={r['_pk']}: predecessor {p} missing")
                    elif done and pr["_successor_pk"] != r["_pk"]:
                        problems.append(
                            f"{name} _pk={r['_pk']}: predecessor {p} "
                            f"has successor {pr['_successor_pk']}"
                        )
                if done:
                    if r["_addition_pending"]:
                        problems.append(
                            f"{name} _pk={r['_pk']}: _addition_pending after completed upload"
                        )
                    if r["_removal_pending"]:
                        problems.append(
                            f"{name} _pk={r['_pk']}: _removal_pending after completed upload"
                        )
                    if r["_move_off_tablet"]:
                        problems.append(
                            f"{name} _pk={r['_pk']}: "
                            "_move_off_tablet still set after completed upload"
                        )
    return problems


def instant(v: Any) -> datetime.datetime | None:
    """A stored or client ``when_last_modified`` as an aware instant (UTC)."""
    if v is None:
        return None
    if isinstance(v, datetime.datetime):
        d = v
    else:
        d = datetime.datetime.fromisoformat(str(v).replace("Z", "+00:00"))
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.UTC)
    return d.astimezone(datetime.UTC)


def current_by_era(
    engine: sa.Engine, device: int, tables: Iterable[str]
) -> dict[str, dict[str, dict[int, Any]]]:
    """``{era: {table: {client id: instant(when_last_modified)}}}`` of current rows."""
    out: dict[str, dict[str, dict[int, Any]]] = defaultdict(lambda: defaultdict(dict))
    with engine.connect() as c:
        for name in tables:
            t = CLIENT_TABLES[name]
            for r in c.execute(
                sa.select(t.c._era, t.c.id, t.c.when_last_modified).where(
                    t.c._device_id == device, t.c._current == sa.true()
                )
            ):
                out[r[0]][name][int(r[1])] = instant(r[2])
    return {e: {t: dict(v) for t, v in d.items()} for e, d in out.items()}


def device_row(engine: sa.Engine, device: int) -> dict[str, Any]:
    with engine.connect() as c:
        return dict(
            c.execute(sa.text("SELECT * FROM _security_devices WHERE id = :d"), {"d": device})
            .one()
            ._mapping
        )


def index_problems(engine: sa.Engine, *, compare_lists: bool = False) -> list[str]:
    """After every upload scenario both indexes are exact (``check-index``
    is clean) and, with ``compare_lists``, the task list computed via the index
    equals the one computed directly from the task tables (data-model.md §9.7)."""
    from copse.index.rebuild import check_index
    from copse.index.tasklist import list_tasks_via_index
    from copse.records.tasklist import TaskFilter, list_tasks

    with engine.connect() as conn:
        problems = check_index(conn)
        if compare_lists:
            for f in (TaskFilter(), TaskFilter(era="finalized"), TaskFilter(complete_only=True)):
                direct = list_tasks(conn, f, None, page=1, per_page=100)
                via_index = list_tasks_via_index(conn, f, None, page=1, per_page=100)
                if direct != via_index:
                    problems.append(f"task list {f}: direct {direct} != via index {via_index}")
    return problems
