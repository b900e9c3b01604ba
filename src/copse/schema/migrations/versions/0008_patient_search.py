"""Patient search: ``_patient_name_index``, each patient row's folded names.

One row per patient row: ``surname_key`` and ``forename_key`` are the names
in lower case without accents (see ``copse.index.names``), so that the
Patients page can search by prefix, case- and accent-insensitively, with one
indexed ``LIKE`` on every backend. The table is created and filled from the
patient rows already stored; the folding rule is copied here (not imported)
so that this revision means the same thing forever.

Revision ID: 0008
Revises: 0004
"""

from __future__ import annotations

import unicodedata
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_TABLE = "_patient_name_index"
_MYSQL: dict[str, Any] = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
    "mysql_engine": "InnoDB",
}
_SPECIAL = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"}
)


def _fold(text: str | None) -> str:
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.translate(_SPECIAL).split())[:255]


def upgrade() -> None:
    table = op.create_table(
        _TABLE,
        sa.Column("patient_pk", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("surname_key", sa.String(255)),
        sa.Column("forename_key", sa.String(255)),
        sa.PrimaryKeyConstraint("patient_pk", name=f"pk_{_TABLE}"),
        **_MYSQL,
    )
    op.create_index(f"ix_{_TABLE}_surname_key", _TABLE, ["surname_key"])
    op.create_index(f"ix_{_TABLE}_forename_key", _TABLE, ["forename_key"])
    conn = op.get_bind()
    patient = sa.table(
        "patient", sa.column("_pk", sa.Integer), sa.column("surname"), sa.column("forename")
    )
    rows = conn.execute(sa.select(patient.c._pk, patient.c.surname, patient.c.forename)).all()
    for start in range(0, len(rows), 1000):
        conn.execute(
            sa.insert(table),
            [
                {"patient_pk": int(r[0]), "surname_key": _fold(r[1]), "forename_key": _fold(r[2])}
                for r in rows[start : start + 1000]
            ],
        )


def downgrade() -> None:
    op.drop_table(_TABLE)
