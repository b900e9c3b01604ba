"""Read-only queries behind the administrators' pages: the audit trail, the
devices, and the choices offered by the task list's filter form.

Every function takes the set of groups whose members the viewer may see
(``None``: a superuser, who sees everything) and applies it in SQL, so the
web views only choose what to show and never build statements themselves.
Entries with no user (failed logins of unknown or other users) stay
superuser-only: they would reveal other groups' usernames.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from copse.schema.tables import audit, devices, memberships, users
from copse.services.camcops_import.plan import AUDIT_SOURCE_PREFIX

#: The audit page's source choice for entries imported from a CamCOPS server.
IMPORTED = "camcops"

#: Audit entries shown per page.
AUDIT_PER_PAGE = 50
#: How many audit entries a device's history page shows (newest first).
DEVICE_HISTORY_LIMIT = 500


def _members(group_ids: Iterable[int]) -> sa.Select[Any]:
    return sa.select(memberships.c.user_id).where(memberships.c.group_id.in_(sorted(group_ids)))


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def imported_source(source: str) -> str | None:
    """For an entry imported from CamCOPS, its source there (None: copse's own entry)."""
    if source.startswith(AUDIT_SOURCE_PREFIX):
        return source[len(AUDIT_SOURCE_PREFIX) :]
    return None


@dataclass(frozen=True)
class AuditFilter:
    """What the audit page's form asks for; empty fields filter nothing."""

    date_from: date | None = None
    date_to: date | None = None
    source: str | None = None
    username: str | None = None
    device_id: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class AuditPage:
    rows: list[sa.Row[Any]]
    total: int
    page: int
    n_pages: int


def audit_page(
    conn: sa.Connection, f: AuditFilter, admin_of: Iterable[int] | None, page: int
) -> AuditPage:
    """One page of matching audit entries, newest first (``page`` clamped to those there are)."""
    cond: list[sa.ColumnElement[bool]] = []
    if admin_of is not None:
        cond.append(audit.c.user_id.in_(_members(admin_of)))
    if f.date_from:
        cond.append(audit.c.when_access_utc >= datetime.combine(f.date_from, time()))
    if f.date_to:
        end = datetime.combine(f.date_to + timedelta(days=1), time())
        cond.append(audit.c.when_access_utc < end)
    if f.source == IMPORTED:
        cond.append(audit.c.source.like(AUDIT_SOURCE_PREFIX + "%"))
    elif f.source:
        cond.append(audit.c.source == f.source)
    if f.username:
        named = sa.select(users.c.id).where(users.c.username == f.username)
        cond.append(audit.c.user_id.in_(named))
    if f.device_id is not None:
        cond.append(audit.c.device_id == f.device_id)
    if f.text:
        cond.append(audit.c.details.like(f"%{_like_escape(f.text)}%", escape="\\"))
    total = int(
        conn.execute(sa.select(sa.func.count()).select_from(audit).where(*cond)).scalar_one()
    )
    n_pages = max(1, -(-total // AUDIT_PER_PAGE))
    page_no = max(1, min(page, n_pages))
    rows = conn.execute(
        sa.select(audit)
        .where(*cond)
        .order_by(audit.c.id.desc())
        .limit(AUDIT_PER_PAGE)
        .offset((page_no - 1) * AUDIT_PER_PAGE)
    ).all()
    return AuditPage(list(rows), total, page_no, n_pages)


def _device_query(admin_of: Iterable[int] | None) -> sa.Select[Any]:
    """Devices by id; for a group administrator only those their members
    registered or uploaded from."""
    query = sa.select(devices).order_by(devices.c.id)
    if admin_of is not None:
        members = _members(admin_of)
        query = query.where(
            sa.or_(
                devices.c.registered_by_user_id.in_(members),
                devices.c.uploading_user_id.in_(members),
            )
        )
    return query


def list_devices(conn: sa.Connection, admin_of: Iterable[int] | None = None) -> list[sa.Row[Any]]:
    return list(conn.execute(_device_query(admin_of)).all())


def get_device(
    conn: sa.Connection, device_id: int, admin_of: Iterable[int] | None = None
) -> sa.Row[Any] | None:
    return conn.execute(_device_query(admin_of).where(devices.c.id == device_id)).first()


def device_history(conn: sa.Connection, device_id: int) -> list[sa.Row[Any]]:
    """The device's latest audit entries, newest first."""
    return list(
        conn.execute(
            sa.select(audit)
            .where(audit.c.device_id == device_id)
            .order_by(audit.c.id.desc())
            .limit(DEVICE_HISTORY_LIMIT)
        ).all()
    )


def filter_choices(
    conn: sa.Connection, visible: Iterable[int] | None
) -> tuple[list[sa.Row[Any]], list[sa.Row[Any]]]:
    """(users, devices) the task filter may offer: for a non-superuser only the
    members of their visible groups and the devices those members registered."""
    user_q: sa.Select[Any] = sa.select(users.c.id, users.c.username).order_by(users.c.username)
    dev_q: sa.Select[Any] = sa.select(devices.c.id, devices.c.name, devices.c.friendly_name)
    dev_q = dev_q.order_by(devices.c.id)
    if visible is not None:
        members = _members(visible)
        user_q = user_q.where(users.c.id.in_(members))
        dev_q = dev_q.where(devices.c.registered_by_user_id.in_(members))
    return list(conn.execute(user_q).all()), list(conn.execute(dev_q).all())
