"""Folded patient names, for a case- and accent-insensitive prefix search.

The three backends disagree on case and accents: SQLite's ``lower()`` only
folds ASCII, PostgreSQL has no accent folding without an extension, MariaDB's
answer depends on the column's collation (copse uses ``utf8mb4_bin``). So the
folding is done once, here in Python, and stored per patient row in
``_patient_name_index``; a search folds its needle the same way and asks for
``key LIKE 'needle%'``, which means the same on every backend and can use the
key's index.

The keys are kept exact with the other indexes: :mod:`copse.index.maintain`
refreshes them for every patient row an upload or a web action changes, and
:func:`rebuild_name_keys` is part of the full rebuild.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from copse.db.bulk import insert_dicts
from copse.db.inlist import int_list
from copse.index.compute import chunked
from copse.schema.tables import CLIENT_TABLES, patient_name_index

#: Width of the key columns; longer names are cut (a needle longer than this
#: is cut the same way, so a prefix still matches).
KEY_LENGTH = 255

#: Letters that Unicode does not decompose into a base letter and a mark.
_SPECIAL = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"}
)


def fold_name(text: str | None) -> str:
    """``text`` in lower case without accents: "Émilie" and "EMILIE" fold to "emilie".

    Compatibility decomposition (NFKD) splits accented letters into a base
    letter and combining marks, which are dropped; ``casefold`` handles "ß".
    Surrounding spaces are stripped and inner runs of spaces made one.
    """
    if not text:
        return ""
    if text.isascii():
        # perf: ASCII has nothing to decompose and casefolds as it lowercases.
        return " ".join(text.lower().split())[:KEY_LENGTH]
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.translate(_SPECIAL).split())[:KEY_LENGTH]


def _entries(rows: Iterable[Any]) -> list[dict[str, Any]]:
    return [
        {
            "patient_pk": int(r._pk),
            "surname_key": fold_name(r.surname),
            "forename_key": fold_name(r.forename),
        }
        for r in rows
    ]


def refresh_name_keys(conn: sa.Connection, patient_pks: Iterable[int]) -> None:
    """Make the keys of these patient rows exact (rows that are gone lose theirs)."""
    pks = sorted(set(patient_pks))
    p = CLIENT_TABLES["patient"]
    for chunk in chunked(pks):
        conn.execute(
            sa.delete(patient_name_index).where(
                patient_name_index.c.patient_pk.in_(int_list(chunk))
            )
        )
        rows = conn.execute(
            sa.select(p.c._pk, p.c.surname, p.c.forename).where(p.c._pk.in_(int_list(chunk)))
        ).all()
        if rows:
            conn.execute(sa.insert(patient_name_index), _entries(rows))


def rebuild_name_keys(conn: sa.Connection) -> int:
    """Delete and recompute every key; returns how many patient rows have one."""
    conn.execute(sa.delete(patient_name_index))
    p = CLIENT_TABLES["patient"]
    # A page of patients at a time (memory: an import brings hundreds of thousands).
    q = sa.select(p.c._pk, p.c.surname, p.c.forename).order_by(p.c._pk).limit(1000)
    done = 0
    last: int | None = None
    while True:
        rows = conn.execute(q if last is None else q.where(p.c._pk > last)).all()
        if not rows:
            return done
        insert_dicts(conn, patient_name_index, _entries(rows))
        done += len(rows)
        last = int(rows[-1]._pk)


def name_key_differences(conn: sa.Connection) -> list[str]:
    """Patient rows whose stored keys differ from their names folded now (empty = exact)."""
    p, k = CLIENT_TABLES["patient"], patient_name_index
    stored = {
        int(r.patient_pk): (r.surname_key, r.forename_key)
        for r in conn.execute(sa.select(k.c.patient_pk, k.c.surname_key, k.c.forename_key))
    }
    out: list[str] = []
    for r in conn.execute(sa.select(p.c._pk, p.c.surname, p.c.forename).order_by(p.c._pk)):
        want = (fold_name(r.surname), fold_name(r.forename))
        have = stored.pop(int(r._pk), None)
        if have != want:
            out.append(f"patient _pk={r._pk}: search keys {have!r}, expected {want!r}")
    out.extend(f"search keys for missing patient _pk={pk}" for pk in sorted(stored))
    return out
