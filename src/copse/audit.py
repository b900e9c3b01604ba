"""The audit trail (``_security_audit``); callers own the transaction."""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa

from copse.schema.tables import audit as audit_table

logger = logging.getLogger(__name__)

MAX_DETAILS = 65000


def audit(
    conn: sa.Connection,
    details: str,
    *,
    source: str,
    now: datetime,
    remote_addr: str | None = None,
    user_id: int | None = None,
    device_id: int | None = None,
    table_name: str | None = None,
    server_pk: int | None = None,
    patient_server_pk: int | None = None,
) -> None:
    """Write one audit entry (source: ``tablet``, ``webviewer`` or ``console``)."""
    conn.execute(
        sa.insert(audit_table).values(
            when_access_utc=now,
            source=source,
            remote_addr=remote_addr,
            user_id=user_id,
            device_id=device_id,
            table_name=table_name,
            server_pk=server_pk,
            patient_server_pk=patient_server_pk,
            details=details[:MAX_DETAILS],
        )
    )
