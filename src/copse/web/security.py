"""Secrets, signed session cookies, CSRF tokens and security headers.

Why a signing secret at all, when the cookie already carries a random session
token that the database checks?  Signing lets us reject forged or truncated
cookies before touching the database, and binds CSRF tokens to a server
secret so that knowing a session token (e.g. from a database dump) is not
enough to forge form posts.

Where the secret comes from, in order:

1. ``COPSE_SECRET_KEY`` in the environment (required when several *hosts*
   serve one database: they share no data folder);
2. ``<data_dir>/web_secret_key``, created once.  Several worker processes on
   one host may race to create it, so it is written to a temporary file and
   then hard-linked into place: ``os.link`` fails if the name exists, so
   exactly one writer wins and every worker then reads the winner's key.

The secret is loaded lazily, on the first web request, so that API-only use
(and the API tests) never writes into the data folder.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
import threading
from collections.abc import Mapping
from pathlib import Path

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from copse.config import Settings

logger = logging.getLogger(__name__)

SECRET_ENV = "COPSE_SECRET_KEY"
INSECURE_COOKIES_ENV = "COPSE_ALLOW_INSECURE_COOKIES"
SECRET_FILE = "web_secret_key"
COOKIE_NAME = "copse_session"
_MIN_SECRET_LEN = 32

#: Paths served by the client API, which keeps its own exact replies.
API_PATHS = ("/api", "/database")

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        b"frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)


class SecretKey:
    """The signing secret, read or created on first use (thread-safe)."""

    def __init__(self, data_dir: Path, env: Mapping[str, str] | None = None) -> None:
        self._data_dir = data_dir
        self._env = os.environ if env is None else env
        self._value: bytes | None = None
        self._lock = threading.Lock()

    def get(self) -> bytes:
        if self._value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._load()
        return self._value

    def _load(self) -> bytes:
        from_env = self._env.get(SECRET_ENV, "")
        if from_env:
            if len(from_env) < _MIN_SECRET_LEN:
                raise RuntimeError(
                    f"{SECRET_ENV} must be at least {_MIN_SECRET_LEN} characters long"
                )
            return from_env.encode("utf-8")
        path = self._data_dir / SECRET_FILE
        if not path.exists():
            self._create(path)
        text = path.read_text("ascii").strip()
        if len(text) < _MIN_SECRET_LEN:
            raise RuntimeError(f"The secret key file {path} is too short; delete it to regenerate")
        return text.encode("ascii")

    @staticmethod
    def _create(path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48) + "\n")
            try:
                os.link(tmp, path)  # atomic; loses quietly to a concurrent winner
            except FileExistsError:
                pass
            finally:
                tmp.unlink(missing_ok=True)
            logger.info("Created the web secret key file %s", path)
        except OSError as exc:
            raise RuntimeError(
                f"Cannot create the web secret key file {path} ({exc}); "
                f"set {SECRET_ENV} to a random string of {_MIN_SECRET_LEN}+ characters"
            ) from exc


def insecure_cookies_allowed(settings: Settings) -> bool:
    """Only for plain-http development on localhost (``COPSE_ALLOW_INSECURE_COOKIES``):
    browsers drop Secure cookies on http:// origins other than localhost.
    """
    return settings.allow_insecure_cookies


#: Why a form posted over plain HTTP was refused: the cookie never came back.
PLAIN_HTTP_COOKIE_MESSAGE = (
    "The form was not accepted because your browser did not send back copse's login cookie. "
    "copse marks that cookie Secure, so browsers return it only over HTTPS, and this page was "
    "reached over plain HTTP. Open the site with https:// (behind an HTTPS proxy, or with "
    "`copse serve --certfile ... --keyfile ...`); for development on your own machine only, set "
    "the setting allow_insecure_cookies = true (COPSE_ALLOW_INSECURE_COOKIES=1)."
)


def cookie_cannot_return(request: Request, settings: Settings) -> bool:
    """Whether a missing session cookie is explained by plain HTTP and a Secure cookie."""
    return request.url.scheme == "http" and not insecure_cookies_allowed(settings)


def _mac(key: bytes, purpose: str, message: str) -> str:
    digest = hmac.new(key, f"{purpose}\x00{message}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def sign_session_cookie(key: bytes, session_id: int, token: str) -> str:
    """``<id>.<token>.<mac>``; tokens are URL-safe base64, so '.' never occurs in them."""
    body = f"{session_id}.{token}"
    return f"{body}.{_mac(key, 'session', body)}"


def read_session_cookie(key: bytes, value: str | None) -> tuple[int, str] | None:
    """The (session id, token) of a validly signed cookie, else None."""
    if not value or len(value) > 300:
        return None
    parts = value.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1]:
        return None
    body = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_mac(key, "session", body), parts[2]):
        return None
    return int(parts[0]), parts[1]


def csrf_token(key: bytes, session_id: int, token: str) -> str:
    """A CSRF token bound to one session (and so renewed at every login)."""
    return _mac(key, "csrf", f"{session_id}.{token}")


def csrf_ok(key: bytes, session_id: int, token: str, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(
        csrf_token(key, session_id, token), submitted or ""
    )


class SecurityHeadersMiddleware:
    """Adds the security headers to every web response (not to the client API's).

    A pure ASGI middleware, so that it also covers the router's own 404/405
    responses and static files.  HTML pages also get ``Cache-Control:
    no-store``: they carry patient data that must not linger in caches.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].rstrip("/") in API_PATHS:
            await self.app(scope, receive, send)
            return
        is_static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                if not is_static and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
