"""The operator's HTTP surface: request ids, metrics and slow-request logging for
every request, and the ``/health`` and ``/metrics`` routes.

:class:`ObservabilityMiddleware` wraps the whole application (API and web).
The client-API route tells it what the request was (operation, device, rows)
through ``scope["state"]["copse_api"]``; everything else is labelled by the
name of the route's endpoint, a bounded set.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from copse.accounts.lockout import lockout_counts
from copse.config import Settings
from copse.logs import REQUEST_ID, REQUEST_ID_HEADER, new_request_id
from copse.ops import metrics
from copse.ops.tls import address_in, parse_networks
from copse.schema.health import schema_status

logger = logging.getLogger("copse.requests")

#: Where the client-API route leaves what monitoring needs to know.
API_STATE_KEY = "copse_api"
OPS_PATHS = ("/health/live", "/health/ready", "/metrics")


class ObservabilityMiddleware:
    """Request id, metrics and the slow-request log around every HTTP request."""

    def __init__(self, app: ASGIApp, settings: Settings, engine: sa.Engine) -> None:
        self.app = app
        self.slow_seconds = settings.slow_request_ms / 1000
        self.engine = engine

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = None
        for name, value in scope.get("headers", ()):
            if name == REQUEST_ID_HEADER.encode():
                offered = value.decode("latin-1")
        request_id = new_request_id(offered)
        token = REQUEST_ID.set(request_id)
        scope.setdefault("state", {})
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            self._record(scope, status, elapsed)
            REQUEST_ID.reset(token)

    def _record(self, scope: Scope, status: int, elapsed: float) -> None:
        api: dict[str, Any] | None = scope["state"].get(API_STATE_KEY)
        if api is not None:
            interface, endpoint = "api", api.get("operation") or "none"
            outcome = api.get("outcome") or "error"
        else:
            path = scope.get("path", "")
            interface = "ops" if path in OPS_PATHS else "web"
            ep = scope.get("endpoint")
            endpoint = getattr(ep, "__name__", None) or (
                "static" if path.startswith("/static") else "unmatched"
            )
            outcome = f"{status // 100}xx"
        metrics.REQUESTS.labels(interface, endpoint, outcome).inc()
        metrics.LATENCY.labels(interface, endpoint).observe(elapsed)
        if api is not None and outcome == "success":
            for kind, n in api.get("rows", {}).items():
                metrics.ROWS_UPLOADED.labels(kind).inc(n)
            if api.get("rows"):
                metrics.UPLOAD_BYTES.inc(api.get("body_bytes", 0))
        pool = self.engine.pool
        checked_out = getattr(pool, "checkedout", None)
        if callable(checked_out):
            metrics.POOL_CHECKED_OUT.set(checked_out())
            size = getattr(pool, "checkedin", None)
            metrics.POOL_SIZE.set(checked_out() + (size() if callable(size) else 0))
        if elapsed >= self.slow_seconds:
            rows = api.get("rows", {}) if api else {}
            logger.warning(
                "slow request: %s %s %.0f ms (operation %s, device %s, rows %s)",
                scope.get("method", ""),
                scope.get("path", ""),
                elapsed * 1000,
                endpoint,
                (api or {}).get("device") or "-",
                sum(rows.values()),
                extra={
                    "slow_ms": round(elapsed * 1000),
                    "operation": endpoint,
                    "device": (api or {}).get("device") or "",
                    "rows": sum(rows.values()),
                    "status": status,
                },
            )


def routes(
    settings: Settings,
    engine: sa.Engine,
    readings: Sequence[Callable[[sa.Connection], Iterable[metrics.DbReading]]] = (),
) -> list[Route]:
    """``/health/live``, ``/health/ready`` and (if enabled) ``/metrics``.

    ``readings`` add scrape-time gauges read from the database by layers
    above this one (the download jobs, say), in the same connection.
    """
    allowed = parse_networks(settings.metrics_allow, "metrics_allow")

    async def live(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def ready(request: Request) -> Response:
        loop = asyncio.get_running_loop()
        try:
            status = await asyncio.wait_for(
                loop.run_in_executor(None, schema_status, engine),
                timeout=settings.health_timeout_seconds,
            )
        except TimeoutError:
            late = {
                "status": "unavailable",
                "database": "timeout",
                "detail": f"no answer within {settings.health_timeout_seconds} s",
            }
            return JSONResponse(late, status_code=503)
        body: dict[str, str | None] = {
            "status": "ok" if status.ready else "unavailable",
            "database": "ok" if status.reachable else "unreachable",
            "schema_revision": status.revision,
            "expected_revision": status.head,
        }
        if status.error:
            body["detail"] = status.error
        elif not status.ready:
            body["detail"] = "schema not at the expected revision: run `copse db upgrade`"
        return JSONResponse(body, status_code=200 if status.ready else 503)

    def read_database() -> Iterable[metrics.DbReading]:
        now = datetime.now(UTC).replace(tzinfo=None)
        with engine.connect() as conn:
            active, total = lockout_counts(conn, now)
            out: list[metrics.DbReading] = [
                ("copse_accounts_locked", "Accounts locked out now", active),
                ("copse_lockouts_recorded", "Lockouts on record (all accounts)", total),
            ]
            for read in readings:
                out.extend(read(conn))
        return out

    async def metrics_page(request: Request) -> Response:
        if not settings.metrics_enabled:
            return JSONResponse({"status": 404, "error": "metrics are not enabled"}, 404)
        client = request.client.host if request.client else None
        auth = request.headers.get("authorization", "")
        if not address_in(client, allowed):
            if not auth:
                return JSONResponse(
                    {"status": 401, "error": "a bearer token is required for /metrics"},
                    401,
                    headers={"WWW-Authenticate": 'Bearer realm="copse metrics"'},
                )
            scheme, _, presented = auth.partition(" ")
            good = settings.metrics_token.encode()
            if not (
                scheme.lower() == "bearer"
                and good
                and hmac.compare_digest(presented.strip().encode(), good)
            ):
                return JSONResponse({"status": 403, "error": "wrong metrics token"}, 403)
        body, content_type = await run_in_threadpool(metrics.render, read_database)
        return Response(body, media_type=content_type)

    return [
        Route("/health/live", live, methods=["GET", "HEAD"]),
        Route("/health/ready", ready, methods=["GET", "HEAD"]),
        Route("/metrics", metrics_page, methods=["GET"]),
    ]
