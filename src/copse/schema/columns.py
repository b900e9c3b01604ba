"""Column types shared by the generated tables.

Client values are stored so that reading them back gives exactly what the
tablet sent: every textual column (including dates and date/times, which the
tablet sends as ISO-8601 text) is unbounded text, booleans stay the integers
the tablet sent, and BLOBs are bytes.  MySQL/MariaDB need the LONG variants
because their plain TEXT and BLOB stop at 64 KiB.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from copse.schema.registry import ColumnInfo

LongText = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
LongBlob = sa.LargeBinary().with_variant(mysql.LONGBLOB(), "mysql", "mariadb")
Double: sa.types.TypeEngine[float] = sa.Double().with_variant(
    mysql.DOUBLE(asdecimal=False), "mysql", "mariadb"
)
#: ISO date/time text written by the server (``_when_added_exact`` etc.).
IsoText = sa.String(40)
#: Era strings: ``NOW`` or ``YYYY-MM-DDTHH:MM:SSZ``.
EraType = sa.String(32)
#: The era of records still on (or owned by) their tablet: not yet finalized.
ERA_NOW = "NOW"
VersionType = sa.String(147)
#: Bytes compared byte by byte on every backend (no collation, no trailing-space
#: rules); bounded so that it can lead an index (MySQL: VARBINARY, not a BLOB).
PatientSortKey = sa.LargeBinary().with_variant(mysql.VARBINARY(255), "mysql", "mariadb")
#: Naive UTC date/times, with microseconds on MySQL/MariaDB too (their plain
#: DATETIME rounds to whole seconds).
UtcDateTime = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def client_column_type(col: ColumnInfo) -> sa.types.TypeEngine[Any]:
    """The storage type for one client-supplied column."""
    kind = col.kind
    if kind in ("int", "bigint"):
        # The tablet's integers are 64-bit; a 32-bit column would refuse
        # legitimate values on PostgreSQL and MariaDB.
        return sa.BigInteger()
    if kind == "bool":
        return sa.Integer()
    if kind == "float":
        return Double
    if kind == "blob":
        return LongBlob
    return LongText
