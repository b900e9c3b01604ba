"""Proof, read from the database, that a server request is inside its write transaction.

MariaDB/MySQL cannot be polled through ``information_schema.innodb_trx``: InnoDB serves it
from a cache that is refreshed only when nobody has read it for 0.1 s, so a tight poll sees a
stale picture for as long as it polls. Tests there hold ``LOCK TABLES _security_audit WRITE``
while the request runs instead: the upload's transaction writes the audit entry last, so it
waits on that INSERT with everything else written and uncommitted, and the process list (which
is not cached) shows the waiting connection.
"""

from __future__ import annotations

import sqlalchemy as sa

from tests.support.databases import Backend


def mysql_audit_waiter(db: Backend) -> int | None:
    """The server connection stuck on its audit INSERT (MariaDB/MySQL), if any."""
    with db.engine.connect() as c:
        r = c.execute(
            sa.text(
                "SELECT id FROM information_schema.processlist "
                "WHERE id <> CONNECTION_ID() AND state LIKE 'Waiting for table metadata lock%' "
                "AND info LIKE 'INSERT INTO _security_audit%'"
            )
        ).first()
        return None if r is None else int(r[0])
