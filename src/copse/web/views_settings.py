"""The server settings page (superusers): what ``copse settings set`` changes, on the web.

The rules are the service's (:mod:`copse.services.server_settings`), shared
with the CLI. Settings read at start-up (``COPSE_*``) are listed read-only:
they cannot change while the server runs.
"""

from __future__ import annotations

from starlette.responses import Response

from copse.services import server_settings
from copse.web.endpoint import WebContext, forbidden, page, redirect

#: Start-up settings shown (never the database URL, which may hold a password).
SHOWN = (
    ("session_timeout_minutes", "Web session timeout (minutes)"),
    ("session_check_ip", "Sessions tied to the IP address"),
    ("lockout_threshold", "Failed logins before a lockout"),
    ("lockout_minutes", "Lockout (minutes)"),
    ("password_min_length", "Shortest new password"),
    ("housekeeping_minutes", "Housekeeping every (minutes)"),
    ("workers", "Worker processes"),
)


@page(admin=True)
def settings_view(ctx: WebContext) -> Response:
    if ctx.user is None or not ctx.user.superuser:
        raise forbidden("Only superusers may change the server settings.")
    errors: list[str] = []
    title = server_settings.database_title(ctx.conn)
    if ctx.request.method == "POST":
        new = ctx.field("database_title").strip()
        problem = server_settings.title_problem(new)
        if problem is not None:
            errors.append(problem)
            title = new
        else:
            if new != title:
                server_settings.set_database_title(ctx.conn, new)
                ctx.audit(f"Database title set to {new!r}")
            return redirect("/admin/settings?saved=1")
    return ctx.render(
        "settings.html",
        title="Server settings",
        errors=errors,
        saved=ctx.param("saved") == "1",
        title_value=title,
        title_max=server_settings.TITLE_MAX,
        shown=[(label, getattr(ctx.settings, name)) for name, label in SHOWN],
    )
