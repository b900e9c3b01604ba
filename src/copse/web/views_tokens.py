"""The logged-in user's personal API tokens (read API): create, list, revoke.

A new token is shown once, in the reply to the POST that created it (not
after a redirect, so it is never in a URL or a later page); only its hash
is kept.  Users manage only their own tokens; a token id of someone else is
"not found".
"""

from __future__ import annotations

from starlette.responses import Response

from copse.accounts import api_tokens
from copse.errors import UserError
from copse.web.endpoint import WebContext, page, redirect
from copse.web.forms import parse_int


@page()
def tokens_view(ctx: WebContext) -> Response:
    assert ctx.user is not None
    errors: list[str] = []
    new_secret: str | None = None
    status = 200
    if ctx.request.method == "POST":
        action = ctx.field("action")
        try:
            if action == "create":
                days_text = ctx.field("expires_days").strip()
                days = parse_int(days_text) if days_text else None
                if days_text and days is None:
                    raise UserError("expires: a whole number of days")
                new = api_tokens.create_token(
                    ctx.conn, ctx.user.id, ctx.field("name"), days, ctx.now
                )
                new_secret = new.secret
                ctx.audit(f"API token created: {new.info.id} ({new.info.name})")
            elif action == "revoke":
                token_id = parse_int(ctx.field("token_id"))
                if token_id is None:
                    raise UserError("No such API token")
                info = api_tokens.revoke_token(ctx.conn, token_id, ctx.now, owner_id=ctx.user.id)
                ctx.audit(f"API token revoked: {info.id} ({info.name})")
                return redirect("/api-tokens")
            else:
                raise UserError("Unknown action")
        except UserError as exc:
            errors.append(exc.message)
            status = 400
    return ctx.render(
        "api_tokens.html",
        status_code=status,
        title="API tokens",
        tokens=api_tokens.list_tokens(ctx.conn, ctx.user.id),
        new_secret=new_secret,
        errors=errors,
        now=ctx.now,
        max_days=api_tokens.MAX_EXPIRY_DAYS,
    )
