"""Pages for logging in and out and changing one's password."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response

from copse.accounts import mfa
from copse.accounts import web_sessions as auth
from copse.accounts.passwords import check_password
from copse.accounts.users import get_user_by_id, set_password
from copse.audit import audit
from copse.web.endpoint import WebContext, page, redirect, safe_next


@page(login=False)
def home(ctx: WebContext) -> Response:
    return redirect("/tasks" if ctx.user is not None else "/login")


@page(login=False, get_writes=True)  # the form's CSRF token needs a session row
def login_page(ctx: WebContext) -> Response:
    """GET shows the form; POST checks lock, then password (policies.md §3.5)."""
    next_url = safe_next(ctx.field("next") or ctx.param("next") or "/tasks")
    if ctx.request.method == "GET":
        if ctx.user is not None:
            return redirect(next_url)
        ctx.ensure_session()  # the form's CSRF token is bound to this session
        return ctx.render("login.html", title="Log in", error=None, username="", next_url=next_url)
    session = ctx.ensure_session()
    username = ctx.field("username").strip()
    result = auth.login(
        ctx.conn, ctx.settings, session, username, ctx.field("password"), ctx.remote_addr, ctx.now
    )
    if result.mfa_pending is not None:
        ctx.session = result.mfa_pending
        ctx.set_cookie = True
        return redirect(f"/login/mfa?next={quote(next_url, safe='/')}")
    if result.session is None:
        return ctx.render(
            "login.html", title="Log in", error=result.error, username=username, next_url=next_url
        )
    ctx.session = result.session
    ctx.set_cookie = True
    return redirect(next_url)


@page(login=False)
def login_code_page(ctx: WebContext) -> Response:
    """The second step of a login: a code from the app, or a recovery code."""
    next_url = safe_next(ctx.field("next") or ctx.param("next") or "/tasks")
    if ctx.user is not None:
        return redirect(next_url)
    pending = (
        None
        if ctx.session is None
        else mfa.login_pending(ctx.conn, ctx.settings, ctx.session.id, ctx.now)
    )
    if ctx.session is None or pending is None:
        return ctx.render(
            "login.html", title="Log in", error=mfa.EXPIRED, username="", next_url=next_url
        )
    if ctx.request.method == "GET":
        return ctx.render("login_mfa.html", title="Log in", error=None, next_url=next_url)
    result = auth.login_with_code(
        ctx.conn, ctx.settings, ctx.session, ctx.field("code"), ctx.remote_addr, ctx.now
    )
    if isinstance(result, mfa.CodeCheck):
        if result.restart:
            return ctx.render(
                "login.html", title="Log in", error=result.error, username="", next_url=next_url
            )
        return ctx.render("login_mfa.html", title="Log in", error=result.error, next_url=next_url)
    ctx.session = result
    ctx.set_cookie = True
    return redirect(next_url)


@page(login=False)
def logout_page(ctx: WebContext) -> Response:
    """POST only (with CSRF), so that a link elsewhere cannot log people out."""
    if ctx.session is not None:
        auth.logout(ctx.conn, ctx.session, ctx.remote_addr, ctx.now)
        ctx.session = None
    ctx.clear_cookie = True
    return redirect("/login")


@page()
def change_password(ctx: WebContext) -> Response:
    assert ctx.user is not None
    if ctx.request.method == "GET":
        return ctx.render("change_password.html", title="Change password", error=None, done=False)
    old, new, confirm = (
        ctx.field("old_password"),
        ctx.field("new_password"),
        ctx.field("new_password2"),
    )
    me = get_user_by_id(ctx.conn, ctx.user.id)
    if me is None or not check_password(old, me.hashedpw):
        return ctx.render(
            "change_password.html",
            title="Change password",
            error="The old password is wrong",
            done=False,
        )
    problem = auth.password_problem(
        new, confirm, ctx.user.username, ctx.settings.password_min_length
    )
    if problem is None and new == old:
        problem = "The new password must differ from the old one"
    if problem is not None:
        return ctx.render(
            "change_password.html", title="Change password", error=problem, done=False
        )
    set_password(ctx.conn, ctx.user.id, new, bcrypt_rounds=ctx.settings.bcrypt_rounds, now=ctx.now)
    # copse addition: the reference does not list this among its web audits.
    audit(
        ctx.conn,
        f"Password changed for user: {ctx.user.username}",
        source="webviewer",
        now=ctx.now,
        remote_addr=ctx.remote_addr,
        user_id=ctx.user.id,
    )
    ctx.user = auth.load_user(ctx.conn, ctx.user.id)
    return ctx.render("change_password.html", title="Change password", error=None, done=True)
