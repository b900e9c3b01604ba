"""The one HTTP -> web-page adapter, and the web's transaction boundary.

``page()`` turns a plain sync view ``(ctx) -> Response`` into a Starlette
endpoint.  Per request it: reads and size-limits a POSTed form (before any
database work, so a retried transaction sees the same input), then runs
*everything else* in ONE transaction, retried on transient conflicts:
session lookup, login/permission checks, CSRF check for POSTs, the view and
the template rendering.  The response leaves only after commit; views and
services never commit.  ``HttpError`` raised anywhere rolls the transaction
back and becomes a templated error page, never a traceback.

GET pages run in a *read-only* transaction (``copse.db.engine``): on SQLite
a page then never waits for an upload holding the write lock, and an upload
never waits for pages.  What a page view writes -- its audit entry, the
session's idle-clock touch -- is queued on the context (:meth:`WebContext.later`)
and written after the response has been sent, in one short transaction of
its own (:func:`_write_after`); a page that fails writes nothing.  POSTs, and
the few GETs declared ``get_writes=True`` (the login form creates the session
its CSRF token is bound to), run in a write transaction and write at once.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

import anyio
import anyio.to_thread
import jinja2
import sqlalchemy as sa
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from copse.accounts import web_sessions as auth
from copse.audit import audit
from copse.config import Settings
from copse.db.tx import run_in_transaction
from copse.services.audit_summary import summarise as summarise_audit
from copse.services.server_settings import database_title
from copse.turns import InFlight, Turns
from copse.web.security import (
    COOKIE_NAME,
    PLAIN_HTTP_COOKIE_MESSAGE,
    SecretKey,
    cookie_cannot_return,
    csrf_ok,
    csrf_token,
    read_session_cookie,
    sign_session_cookie,
)
from copse.wire.dates import utcnow

logger = logging.getLogger(__name__)

MAX_FORM_BYTES = 64 * 1024
MAX_FORM_FIELDS = 200
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
_ISO_SECONDS = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})")

ERROR_TITLES = {
    400: "Bad request",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    413: "Request too large",
    500: "Server error",
}


class HttpError(Exception):
    """An error page with this status and a plain message (escaped on output)."""

    def __init__(self, status: int, message: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def forbidden(message: str = "You do not have permission to see this page.") -> HttpError:
    return HttpError(403, message)


def not_found(message: str = "There is nothing here, or you may not see it.") -> HttpError:
    # Used for records in groups the user may not see too: a 404, not a
    # 403, so that probing primary keys does not reveal which ones exist.
    return HttpError(404, message)


def make_templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,  # uploaded text is hostile: escape everything
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = format_when
    env.filters["era_date"] = format_era_date
    env.filters["utc"] = format_utc
    env.filters["audit_summary"] = summarise_audit
    return env


def format_utc(value: object) -> str:
    """A server time (UTC) to the second: "2026-12-03 17:45:20", never microseconds.

    Naive datetimes are UTC by the schema's convention; text is cut at the
    seconds; None is a dash.
    """
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    text = str(value)
    m = _ISO_SECONDS.match(text)
    return f"{m.group(1)} {m.group(2)}" if m else text


def format_era_date(era: object) -> str:
    """An era (the UTC time of its finalize, ``YYYY-MM-DDTHH:MM:SSZ``) as "3 Dec 2026".

    Anything else is shown unchanged (autoescaped by the template).
    """
    text = str(era)
    try:
        dt = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return text
    return f"{dt.day} {dt:%b %Y}"


def format_when(text: object) -> str:
    """A tablet's ISO date/time, readable, in the tablet's own zone as recorded.

    Unparseable text is shown unchanged (autoescaped by the template).
    """
    if not isinstance(text, str):
        return "—" if text is None else str(text)
    from copse.wire.dates import parse_datetime

    try:
        dt = parse_datetime(text.strip())
    except ValueError:
        return text
    offset = dt.strftime("%z")
    zone = "UTC" if offset in ("+0000", "") else f"{offset[:3]}:{offset[3:]}"
    return f"{dt:%Y-%m-%d %H:%M} {zone}"


@dataclass
class WebConfig:
    """What every web request needs; built once per app."""

    settings: Settings
    engine: sa.Engine
    secret: SecretKey
    secure_cookies: bool
    templates: jinja2.Environment = field(default_factory=make_templates)
    #: Pages rendered at once in this process (``web_page_threads``), shared by
    #: every event loop of the process (see copse.turns); None: no limit.
    page_turns: Turns | None = field(init=False, repr=False, default=None)
    #: The client-API requests in flight in this process (``web_page_pause``).
    tablet_requests: InFlight | None = None

    def __post_init__(self) -> None:
        n = self.settings.effective_web_page_threads
        self.page_turns = Turns(n) if n > 0 else None

    def render(self, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("database_title", self.settings.database_title)
        return HTMLResponse(
            self.templates.get_template(name).render(**context), status_code=status_code
        )

    def error_page(
        self, status: int, message: str, user: auth.WebUser | None = None, csrf: str = ""
    ) -> HTMLResponse:
        return self.render(
            "error.html",
            status,
            title=ERROR_TITLES.get(status, "Error"),
            status=status,
            message=message,
            user=user,
            csrf_token=csrf,
            path="",
        )


@dataclass
class WebContext:
    """One request as views see it: the connection, the user, the form."""

    request: Request
    conn: sa.Connection
    config: WebConfig
    now: datetime
    form: Mapping[str, list[str]]
    session: auth.WebSession | None = None
    user: auth.WebUser | None = None
    #: Set when the session was created or its token rotated.
    set_cookie: bool = False
    clear_cookie: bool = False
    #: The request's transaction only reads; writes wait in ``after``.
    read_only: bool = False
    after: list[Callable[[sa.Connection], None]] = field(default_factory=list)

    def later(self, write: Callable[[sa.Connection], None]) -> None:
        """Do a page view's bookkeeping write: queued on a read-only request, else now."""
        if self.read_only:
            self.after.append(write)
        else:
            write(self.conn)

    def audit(self, details: str, **where: Any) -> None:
        """The acting user's ``webviewer`` audit entry (queued on a read-only request)."""
        user_id = self.user.id if self.user is not None else None
        now, ip = self.now, self.remote_addr
        self.later(
            lambda conn: audit(
                conn, details, source="webviewer", now=now, remote_addr=ip, user_id=user_id, **where
            )
        )

    @property
    def settings(self) -> Settings:
        return self.config.settings

    @property
    def remote_addr(self) -> str | None:
        return self.request.client.host if self.request.client else None

    @property
    def csrf(self) -> str:
        if self.session is None:
            return ""
        return csrf_token(self.config.secret.get(), self.session.id, self.session.token)

    def field(self, name: str, default: str = "") -> str:
        values = self.form.get(name)
        return values[0] if values else default

    def param(self, name: str, default: str = "") -> str:
        return self.request.query_params.get(name, default)

    def ensure_session(self) -> auth.WebSession:
        if self.session is None:
            self.session = auth.create_session(self.conn, self.remote_addr, self.now)
            self.set_cookie = True
        return self.session

    def render(self, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("user", self.user)
        context.setdefault("csrf_token", self.csrf)
        context.setdefault("path", self.request.url.path)
        context.setdefault(
            "database_title", database_title(self.conn) or self.settings.database_title
        )
        return self.config.render(name, status_code, **context)


def pdf_response(data: bytes, filename: str) -> Response:
    """A PDF shown in the browser's viewer (saved under ``filename`` if downloaded)."""
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


def redirect(url: str) -> RedirectResponse:
    """303 See Other: after a POST the browser fetches the target with GET."""
    return RedirectResponse(url, status_code=303)


def safe_next(url: str) -> str:
    """Only same-site absolute paths may be redirect targets (no open redirects)."""
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return "/tasks"


View = Callable[[WebContext], Response]
Endpoint = Callable[[Request], Any]


async def _read_form(request: Request) -> dict[str, list[str]]:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        raise HttpError(400, "Forms must be sent as application/x-www-form-urlencoded.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            raise HttpError(413, f"Form data larger than {MAX_FORM_BYTES} bytes.")
        chunks.append(chunk)
    try:
        return parse_qs(
            b"".join(chunks).decode("utf-8"),
            keep_blank_values=True,
            max_num_fields=MAX_FORM_FIELDS,
            strict_parsing=False,
        )
    except (UnicodeDecodeError, ValueError):
        raise HttpError(400, "The form data could not be read.") from None


def page(
    *, login: bool = True, admin: bool = False, csrf: bool = True, get_writes: bool = False
) -> Callable[[View], Endpoint]:
    """Make a view an endpoint: one transaction, session, permission and CSRF checks.

    ``login``: anonymous visitors are sent to the login page.  ``admin``:
    superusers and group administrators only (others get a 403 page).
    ``csrf``: POSTs must carry the session's token (on for every form).
    ``get_writes``: its GET needs a write transaction too (else GETs only read).
    """

    def decorate(view: View) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            config: WebConfig = request.app.state.web
            form: dict[str, list[str]] = {}
            try:
                if request.method == "POST":
                    form = await _read_form(request)
            except HttpError as exc:
                return config.error_page(exc.status, exc.message)
            checks = _Checks(login, admin, csrf, request.method == "POST" or get_writes)
            if config.page_turns is None:
                return await anyio.to_thread.run_sync(_run, config, view, request, form, checks)
            # With web_page_threads set, pages take turns (waiting in the event
            # loop, holding no thread), so a burst of page views cannot crowd a
            # tablet's upload out of this process's interpreter.
            turns = config.page_turns
            await turns.acquire()
            try:
                started = time.monotonic()
                response = await anyio.to_thread.run_sync(_run, config, view, request, form, checks)
            except BaseException:
                turns.release()
                raise
            _release_after_pause(config, turns, time.monotonic() - started)
            return response

        endpoint.__name__ = view.__name__
        endpoint.__doc__ = view.__doc__
        return endpoint

    return decorate


#: The longest pause a page takes beside tablet requests (``web_page_pause``).
MAX_PAGE_PAUSE = 2.0


#: Turns being held after their page was sent (a reference, so the task is not collected).
_PAUSES: set[asyncio.Task[None]] = set()


def _release_after_pause(config: WebConfig, turns: Turns, render_seconds: float) -> None:
    """Give the page turn back, after a pause if tablets are being served (``web_page_pause``).

    Pages and uploads share the process's interpreter lock; one page thread
    rendering back to back takes about half of it from an upload.  Keeping
    the turn for ``web_page_pause`` times the render leaves the upload the
    rest.  The page itself is sent at once (the next page waits, not this
    one), and the pause ends as soon as no tablet request is in flight.
    """
    tablets, factor = config.tablet_requests, config.settings.web_page_pause
    if tablets is None or factor <= 0 or not tablets.busy:
        turns.release()
        return

    async def pause() -> None:
        try:
            deadline = time.monotonic() + min(MAX_PAGE_PAUSE, render_seconds * factor)
            while tablets.busy and (left := deadline - time.monotonic()) > 0:
                await anyio.sleep(min(left, 0.01))
        finally:
            turns.release()

    task = asyncio.get_running_loop().create_task(pause())
    _PAUSES.add(task)
    task.add_done_callback(_PAUSES.discard)


@dataclass(frozen=True)
class _Checks:
    need_login: bool
    need_admin: bool
    need_csrf: bool
    writes: bool


def _write_after(engine: sa.Engine, writes: list[Callable[[sa.Connection], None]]) -> None:
    """A page view's queued writes, after its response: one short transaction."""

    def work(conn: sa.Connection) -> None:
        for write in writes:
            write(conn)

    try:
        run_in_transaction(engine, work)
    except Exception:  # the page was shown; losing its bookkeeping must not crash anything
        logger.exception("Could not write a page view's audit entry or session touch")


def _run(
    config: WebConfig,
    view: View,
    request: Request,
    form: dict[str, list[str]],
    checks: _Checks,
) -> Response:
    key = config.secret.get()
    cookie = read_session_cookie(key, request.cookies.get(COOKIE_NAME))
    seen: dict[str, Any] = {}
    need_login, need_admin, need_csrf = checks.need_login, checks.need_admin, checks.need_csrf

    def work(conn: sa.Connection) -> tuple[Response, WebContext]:
        ctx = WebContext(
            request=request,
            conn=conn,
            config=config,
            now=utcnow(),
            form=form,
            read_only=not checks.writes,
        )
        if cookie is not None:
            ctx.session = auth.find_session(
                conn, config.settings, *cookie, ctx.remote_addr, ctx.now, touch=ctx.later
            )
            if ctx.session is not None and ctx.session.user_id is not None:
                ctx.user = auth.load_user(conn, ctx.session.user_id)
                seen["user"], seen["csrf"] = ctx.user, ctx.csrf
        if cookie is not None and ctx.session is None:
            ctx.clear_cookie = True  # expired or forged: forget it
        if need_login and ctx.user is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return redirect(f"/login?next={quote(target, safe='/')}"), ctx
        if (
            ctx.user is not None
            and ctx.user.must_change_password
            and request.url.path not in ("/change-password", "/logout")
        ):
            return redirect("/change-password"), ctx
        if (
            ctx.user is not None
            and ctx.user.must_enrol_mfa
            and not ctx.user.must_change_password
            and request.url.path not in ("/mfa", "/logout")
        ):
            return redirect("/mfa"), ctx
        if need_admin and not (ctx.user is not None and ctx.user.is_admin):
            raise forbidden("Only administrators may use this page.")
        if request.method == "POST" and need_csrf:
            s = ctx.session
            if s is None and cookie_cannot_return(request, config.settings):
                raise forbidden(PLAIN_HTTP_COOKIE_MESSAGE)
            if s is None or not csrf_ok(key, s.id, s.token, ctx.field("csrf_token")):
                raise forbidden(
                    "The form was not accepted: it has expired or did not come from this site. "
                    "Go back, reload the page and try again."
                )
        return view(ctx), ctx

    # The request's one transaction: read-only unless the request writes.
    try:
        response, ctx = run_in_transaction(config.engine, work, read_only=not checks.writes)
    except HttpError as exc:
        return config.error_page(exc.status, exc.message, seen.get("user"), seen.get("csrf", ""))
    if ctx.after:
        assert response.background is None
        response.background = BackgroundTask(_write_after, config.engine, ctx.after)
    if ctx.set_cookie and ctx.session is not None:
        response.set_cookie(
            COOKIE_NAME,
            sign_session_cookie(key, ctx.session.id, ctx.session.token),
            httponly=True,
            secure=config.secure_cookies,
            samesite="lax",
            path="/",
        )
    elif ctx.clear_cookie:
        response.delete_cookie(
            COOKIE_NAME, path="/", httponly=True, secure=config.secure_cookies, samesite="lax"
        )
    return response
