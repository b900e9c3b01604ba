"""Administrators' pages: the audit trail and the devices.

Superusers see everything.  A group administrator sees the audit entries of
users who belong to a group they administer, and the devices those users
registered or uploaded from.  Entries with no user (failed logins of unknown
or other users) stay superuser-only: they would reveal other groups' usernames.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.responses import Response

from copse.records import rows as records
from copse.services import oversight
from copse.web.endpoint import WebContext, not_found, page
from copse.web.forms import parse_date, parse_int

SOURCES = ("tablet", "webviewer", "console", "api", oversight.IMPORTED)


def _admin_of(ctx: WebContext) -> frozenset[int] | None:
    """Groups whose members' activity this administrator may see (None: everyone's)."""
    assert ctx.user is not None
    return None if ctx.user.superuser else ctx.user.admin_group_ids


@page(admin=True)
def audit_view(ctx: WebContext) -> Response:
    q = ctx.request.query_params
    errors: list[str] = []
    source = q.get("source", "")
    f = oversight.AuditFilter(
        date_from=parse_date(q.get("date_from", ""), errors, "From"),
        date_to=parse_date(q.get("date_to", ""), errors, "To"),
        source=source if source in SOURCES else None,
        username=q.get("username", "").strip() or None,
        device_id=parse_int(q.get("device_id", "")),
        text=q.get("text", "").strip() or None,
    )
    result = oversight.audit_page(ctx.conn, f, _admin_of(ctx), parse_int(q.get("page", "1")) or 1)
    rows = result.rows
    base = [(k, v) for k, v in q.multi_items() if k != "page"]
    return ctx.render(
        "audit.html",
        title="Audit trail",
        rows=rows,
        total=result.total,
        page=result.page,
        n_pages=result.n_pages,
        errors=errors,
        q=q,
        sources=SOURCES,
        imported_source=oversight.imported_source,
        page_url=lambda n: "/audit?" + urlencode([*base, ("page", str(n))]),
        user_names=records.names(ctx.conn, "user", (r.user_id for r in rows)),
        device_names=records.names(ctx.conn, "device", (r.device_id for r in rows)),
    )


@page(admin=True)
def devices_view(ctx: WebContext) -> Response:
    rows = oversight.list_devices(ctx.conn, _admin_of(ctx))
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
    device = oversight.get_device(ctx.conn, device_id, _admin_of(ctx))
    if device is None:
        raise not_found()
    rows = oversight.device_history(ctx.conn, device_id)
    return ctx.render(
        "device_uploads.html",
        title=f"History of device {device.friendly_name or device.name}",
        device=device,
        rows=rows,
        user_names=records.names(ctx.conn, "user", (r.user_id for r in rows)),
    )
