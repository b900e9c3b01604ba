"""What is copied from a CamCOPS database, in which order, and what is not.

copse keeps CamCOPS's server table and column names (data-model.md), so each
imported table maps column for column onto the copse table of the same name.
A few copse-only columns get a fixed value, and a few values are adjusted
(``transform_row``); everything else is copied as it is, keys included.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from copse.schema import tables as T
from copse.schema.registry import TABLES

#: Prefix marking audit entries that came from the old server (``source`` column).
AUDIT_SOURCE_PREFIX = "camcops:"
#: Width of ``_security_audit.source`` in copse.
AUDIT_SOURCE_LENGTH = 20

#: Server tables copied, by copse table; client tables are added from the registry.
SERVER_TABLES: tuple[sa.Table, ...] = (
    T.ip_use,
    T.groups,
    T.group_group,
    T.users,
    T.memberships,
    T.devices,
    T.idnum_definitions,
    T.server_settings,
    T.special_notes,
    T.audit,
    T.task_schedule,
    T.task_schedule_item,
    T.patient_task_schedule,
    T.dirty_tables,
)

#: copse-only columns and the value an imported row gets.  Groups: CamCOPS
#: does not check the ID policies on upload, and the tablets must carry on as
#: before.  Devices: no copse finalizing upload has happened yet.  Server
#: settings: the pseudonym key of de-identified exports is made on first use.
#: Users and settings: two-factor login is required only where CamCOPS users
#: already enrolled (their TOTP secrets are carried over and used).
FIXED_VALUES: dict[str, dict[str, Any]] = {
    "_security_groups": {"check_policy_on_upload": False},
    "_security_devices": {"last_finalizing_eras": None},
    "_server_settings": {"export_pseudonym_key": None, "mfa_required": False},
    "_security_users": {"mfa_required": False, "mfa_last_totp_step": None},
}

#: CamCOPS tables that copse does not carry over, and why (the report lists them).
NOT_CARRIED: dict[str, str] = {
    "_alembic_version": "CamCOPS's schema revision (copse has its own)",
    "_security_webviewer_sessions": "web sessions: users log in again",
    "_security_login_failures": "login failures: lockout state starts afresh",
    "_security_account_lockouts": "account lockouts: lockout state starts afresh",
    "_task_index": "task index: rebuilt by copse from the imported data",
    "_idnum_index": "ID-number index: rebuilt by copse from the imported data",
    "_task_filters": "web viewer task filters: not a copse feature",
    "_emails": "sent e-mails: copse does not send e-mail",
    "_patient_task_schedule_email": "e-mails sent to patients: copse does not send e-mail",
    "_export_recipients": "export recipients: copse has no exports",
    "_exported_tasks": "export history: copse has no exports",
    "_exported_task_email": "export history: copse has no exports",
    "_exported_task_fhir": "export history: copse has no exports",
    "_exported_task_fhir_entry": "export history: copse has no exports",
    "_exported_task_filegroup": "export history: copse has no exports",
    "_exported_task_hl7msg": "export history: copse has no exports",
    "_exported_task_redcap": "export history: copse has no exports",
}


#: Source rows that mean nothing in copse and are left out (and listed in the
#: report): CamCOPS keeps a membership row whose user was deleted, with a NULL user.
SKIPPED_ROWS: dict[str, tuple[Callable[[sa.Table], sa.ColumnElement[bool]], str]] = {
    "_security_user_group": (
        lambda t: sa.or_(t.c.user_id.is_(None), t.c.group_id.is_(None)),
        "group membership of no user or no group (left behind by a deleted user)",
    ),
}


@dataclass(frozen=True)
class TablePlan:
    """One table to copy: copse's table, the columns read from the source, its key."""

    table: sa.Table
    source_columns: tuple[str, ...]
    key: tuple[str, ...]
    is_client: bool
    fixed: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.table.name

    def key_after(self, key: tuple[Any, ...]) -> sa.ColumnElement[bool]:
        """Rows whose key comes after ``key`` (a row-value comparison for composite keys)."""
        cols = [self.table.c[k] for k in self.key]
        if len(cols) == 1:
            after: sa.ColumnElement[bool] = cols[0] > key[0]
            return after
        return sa.tuple_(*cols) > sa.tuple_(*(sa.literal(v) for v in key))

    def key_upto(self, key: tuple[Any, ...]) -> sa.ColumnElement[bool]:
        """Rows whose key is ``key`` or comes before it."""
        return sa.not_(self.key_after(key))

    def imported(self) -> sa.ColumnElement[bool] | None:
        """The condition on copse rows that came from CamCOPS (None: all of them)."""
        return (
            None
            if self.name != T.audit.name
            else self.table.c.source.like(AUDIT_SOURCE_PREFIX + "%")
        )

    def own(self) -> sa.ColumnElement[bool] | None:
        """The condition on copse's own rows in this table (None: it has none)."""
        imported = self.imported()
        return None if imported is None else sa.not_(imported)

    def kept(self) -> sa.ColumnElement[bool] | None:
        """The condition on source rows that are copied (None: all of them)."""
        skip = SKIPPED_ROWS.get(self.name)
        return None if skip is None else sa.not_(skip[0](self.table))

    @property
    def text_date_columns(self) -> tuple[str, ...]:
        """Client date/time columns, stored by CamCOPS as DATE/TIME and by copse as text."""
        info = TABLES.get(self.name)
        if info is None:
            return ()
        return tuple(c.name for c in info.columns if c.kind in ("date", "time"))

    @property
    def all_columns(self) -> tuple[str, ...]:
        return tuple(self.table.c.keys())


def build_plan() -> list[TablePlan]:
    """Every table to copy, parents before children (foreign keys hold on every insert)."""
    wanted = {t.name for t in SERVER_TABLES} | set(TABLES)
    plans: list[TablePlan] = []
    for table in T.metadata.sorted_tables:
        if table.name not in wanted:
            continue
        fixed = FIXED_VALUES.get(table.name, {})
        plans.append(
            TablePlan(
                table=table,
                source_columns=tuple(c for c in table.c.keys() if c not in fixed),
                key=tuple(c.name for c in table.primary_key.columns),
                is_client=table.name in TABLES,
                fixed=fixed,
            )
        )
    return plans


def identity(plan: TablePlan, row: Mapping[str, Any]) -> str:
    """How a row is named in messages: its key, and for client rows the record identity."""
    key = ", ".join(f"{k}={row.get(k)!r}" for k in plan.key)
    if not plan.is_client:
        return f"{plan.name} {key}"
    return (
        f"{plan.name} {key} (device {row.get('_device_id')}, era {row.get('_era')}, "
        f"id {row.get('id')}, added {row.get('_when_added_exact')})"
    )
