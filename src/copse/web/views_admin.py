"""Administrators' pages: the audit trail and the devices.

Superusers see everything.  A group administrator sees the audit entries of
users who belong to a group they administer, and the devices those users
registered or uploaded from.  Entries with no user (failed logins of unknown
or other users) stay superuser-only: they would reveal other groups' usernames.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from starlette.responses import Response

from copse.records import rows as records
from copse.schema.tables import audit, devices, memberships, users
from copse.web.endpoint import WebContext, not_found, page
from copse.web.forms import parse_date, parse_int

AUDIT_PER_PAGE = 50
SOURCES = ("tablet", "webviewer", "console")


def _admin_members(ctx: WebContext) -> sa.Select[Any] | None:
    """Users whose activity this administrator may see (None: everyone)."""
    assert ctx.user is not None
    if ctx.user.superuser:
        return None
    return sa.select(memberships.c.user_id).where(
        memberships.c.group_id.in_(sorted(ctx.user.admin_group_ids))
    )


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@page(admin=True)
def audit_view(ctx: WebContext) -> Response:
    q = ctx.request.query_params
    errors: list[str] = []
    cond: list[sa.ColumnElement[bool]] = []
    members = _admin_members(ctx)
    if members is not None:
        cond.append(audit.c.user_id.in_(members))
    start = parse_date(q.get("date_from", ""), errors, "From")
    end = parse_date(q.get("date_to", ""), errors, "To")
    if start:
        cond.append(audit.c.when_access_utc >= datetime.combine(start, time()))
    if end:
        cond.append(audit.c.when_access_utc < datetime.combine(end + timedelta(days=1), time()))
    source = q.get("source", "")
    if source in SOURCES:
        cond.append(audit.c.source == source)
    username = q.get("username", "").strip()
    if username:
        cond.append(audit.c.user_id.in_(sa.select(users.c.id).where(users.c.username == username)))
    device_id = parse_int(q.get("device_id", ""))
    if device_id is not None:
        cond.append(audit.c.device_id == device_id)
    text = q.get("text", "").strip()
    if text:
        cond.append(audit.c.details.like(f"%{_like_escape(text)}%", escape="\\"))
    total = ctx.conn.execute(
        sa.select(sa.func.count()).select_from(audit).where(*cond)
    ).scalar_one()
    n_pages = max(1, -(-total // AUDIT_PER_PAGE))
    page_no = max(1, min(parse_int(q.get("page", "1")) or 1, n_pages))
    rows = ctx.conn.execute(
        sa.select(audit)
        .where(*cond)
        .order_by(audit.c.id.desc())
        .limit(AUDIT_PER_PAGE)
        .offset((page_no - 1) * AUDIT_PER_PAGE)
    ).all()
    base = [(k, v) for k, v in q.multi_items() if k != "page"]
    return ctx.render(
        "audit.html",
        title="Audit trail",
        rows=rows,
        total=total,
        page=page_no,
        n_pages=n_pages,
        errors=errors,
        q=q,
        sources=SOURCES,
        page_url=lambda n: "/audit?" + urlencode([*base, ("page", str(n))]),
        user_names=records.names(ctx.conn, "user", (r.user_id for r in rows)),
        device_names=records.names(ctx.conn, "device", (r.device_id for r in rows)),
    )


@page(admin=True)
def devices_view(ctx: WebContext) -> Response:
    query = sa.select(devices).order_by(devices.c.id)
    members = _admin_members(ctx)
    if members is not None:
        query = query.where(
            sa.or_(
                devices.c.registered_by_user_id.in_(members),
                devices.c.uploading_user_id.in_(members),
            )
        )
    rows = ctx.conn.execute(query).all()
    ids = [r.registered_by_user_id for r in rows] + [r.uploading_user_id for r in rows]
    return ctx.render(
        "devices.html", title="Devices", rows=rows, user_names=records.names(ctx.conn, "user", ids)
    )


@page(admin=True)
def admin_index(ctx: WebContext) -> Response:
    return ctx.render("admin.html", title="Administration")


@page(admin=True)
def device_uploads(ctx: WebContext) -> Response:
    """The device's history from the audit trail: uploads, finalizations, everything."""
    device_id = ctx.request.path_params["device_id"]
    query = sa.select(devices).where(devices.c.id == device_id)
    members = _admin_members(ctx)
    if members is not None:
        query = query.where(
            sa.or_(
                devices.c.registered_by_user_id.in_(members),
                devices.c.uploading_user_id.in_(members),
            )
        )
    device = ctx.conn.execute(query).first()
    if device is None:
        raise not_found()
    rows = ctx.conn.execute(
        sa.select(audit)
        .where(audit.c.device_id == device_id)
        .order_by(audit.c.id.desc())
        .limit(500)
    ).all()
    return ctx.render(
        "device_uploads.html",
        title=f"History of device {device.friendly_name or device.name}",
        device=device,
        rows=rows,
        user_names=records.names(ctx.conn, "user", (r.user_id for r in rows)),
    )
