"""The user's own two-factor login page: set-up with a QR code, recovery codes.

The rules live in :mod:`copse.accounts.mfa`; this page only shows them.
The QR code is drawn on the server as inline SVG (segno), so the secret
never leaves the page for a third-party service and the page keeps its
strict content-security policy (no scripts, no data: images).
"""

from __future__ import annotations

from dataclasses import replace

import segno
from markupsafe import Markup
from starlette.responses import Response

from copse.accounts import mfa
from copse.web.endpoint import WebContext, page


def _qr_svg(uri: str) -> Markup:
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, title="QR code of the two-factor key", dark="#000", light="#fff"
    )
    return Markup(svg)  # noqa: S704 - segno's own SVG of our URI (base-32 text and names, escaped)


def _enrol_page(ctx: WebContext, secret: str, error: str | None) -> Response:
    assert ctx.user is not None
    issuer = ctx.settings.database_title or "copse"
    uri = mfa.provisioning_uri(secret, ctx.user.username, issuer)
    spaced = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return ctx.render(
        "mfa_enrol.html",
        title="Set up two-factor login",
        qr=_qr_svg(uri),
        secret=secret,
        spaced_secret=spaced,
        error=error,
    )


@page()
def mfa_page(ctx: WebContext) -> Response:
    """GET: the user's two-factor status.  POST ``action=start``: a new key and its
    QR code; ``action=confirm``: the first code, which turns it on;
    ``action=codes``: new recovery codes, for a current code."""
    assert ctx.user is not None and ctx.session is not None
    user_id = ctx.user.id
    if ctx.request.method == "POST":
        action = ctx.field("action")
        if action == "start":
            secret = mfa.begin_enrolment(ctx.conn, ctx.session.id, user_id, ctx.now)
            if secret is None:
                return _status_page(ctx, mfa.ALREADY_ON)
            ctx.audit(f"Two-factor set-up started (key shown) by user: {ctx.user.username}")
            return _enrol_page(ctx, secret, None)
        if action == "confirm":
            outcome = mfa.confirm_enrolment(
                ctx.conn,
                ctx.settings,
                ctx.session.id,
                user_id,
                ctx.field("code"),
                remote_addr=ctx.remote_addr,
                now=ctx.now,
            )
            if isinstance(outcome, str):
                shown = mfa.enrolment_secret(
                    ctx.conn, ctx.settings, ctx.session.id, user_id, ctx.now
                )
                if shown is None:
                    return _status_page(ctx, outcome)
                return _enrol_page(ctx, shown, outcome)
            ctx.user = replace(ctx.user, must_enrol_mfa=False)
            return ctx.render("mfa_codes.html", title="Two-factor login is on", codes=outcome)
        if action == "codes":
            fresh = mfa.replace_recovery_codes(
                ctx.conn,
                ctx.settings,
                user_id,
                ctx.field("code"),
                remote_addr=ctx.remote_addr,
                now=ctx.now,
            )
            if isinstance(fresh, str):
                return _status_page(ctx, fresh)
            return ctx.render("mfa_codes.html", title="New recovery codes", codes=fresh)
        return _status_page(ctx, "Unknown action.")
    return _status_page(ctx, None)


def _status_page(ctx: WebContext, error: str | None) -> Response:
    assert ctx.user is not None
    return ctx.render(
        "mfa.html",
        title="Two-factor login",
        status=mfa.status(ctx.conn, ctx.user.id),
        error=error,
    )
