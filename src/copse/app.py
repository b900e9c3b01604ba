"""The ASGI application: the client API endpoint (``/api``, ``/database``) and the
web front end (:mod:`copse.web.app`), sharing one engine and one Settings."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TypeVar

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from copse.accounts.housekeeping import purge
from copse.api.endpoint import ClientApi
from copse.api.gate import LargeRequestGate, ServerBusy
from copse.config import Settings
from copse.db.engine import make_engine
from copse.db.tx import run_in_transaction
from copse.ops.http import ObservabilityMiddleware
from copse.ops.http import routes as ops_routes
from copse.readapi.routes import routes as readapi_routes
from copse.services.downloads import jobs as download_jobs
from copse.services.downloads.runner import run_next
from copse.sync.warm import warm_up
from copse.tasks.catalogue import all_tasks
from copse.turns import InFlight
from copse.wire.dates import utcnow
from copse.wire.reply import error_reply

logger = logging.getLogger(__name__)
T = TypeVar("T")

SIGNPOST_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>CamCOPS server endpoint</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>CamCOPS client API</h1>
<p>This address is where the CamCOPS app sends its data. It is not a web page for people.</p>
<p>To use it, install the CamCOPS app on a tablet or computer and enter this server's address
in the app's server settings.</p></body></html>
"""


class BodyTooLarge(Exception):
    pass


async def read_body_limited(request: Request, limit: int) -> bytes:
    """Read the body, refusing it as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


async def _in_daemon_thread(fn: Callable[[], T]) -> T:
    """Run ``fn`` in a daemon thread of its own and await its result.

    Not the shared thread pool, whose threads the interpreter joins at exit: a
    download job stuck on a database lock must not keep a stopping server
    alive (the job is then marked failed at the next start-up).
    """
    loop = asyncio.get_running_loop()
    fut: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, exc: BaseException | None) -> None:
        if fut.done():
            return
        if exc is not None:
            fut.set_exception(exc)
        else:
            fut.set_result(result)  # type: ignore[arg-type]

    def target() -> None:
        try:
            result, exc = fn(), None
        except BaseException as e:  # handed to the awaiting task
            result, exc = None, e
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting
            loop.call_soon_threadsafe(settle, result, exc)

    threading.Thread(target=target, name="copse-downloads", daemon=True).start()
    return await fut


def _housekeep(conn: sa.Connection, settings: Settings) -> str:
    now = utcnow()
    return f"{purge(conn, settings, now)}; {download_jobs.housekeep(conn, settings, now)}"


def housekeeping_lifespan(
    settings: Settings, engine: sa.Engine
) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """Run housekeeping at start-up and every ``housekeeping_minutes`` while serving,
    and the background download jobs (:mod:`copse.services.downloads.runner`);
    first, compile the upload engine's largest statements (:mod:`copse.sync.warm`) and
    import the task definitions, so that the first upload of a process pays for neither.

    Every worker runs both; the deletes are idempotent and a job is claimed
    atomically in the database, so several workers or hosts on one database
    do no harm. A failure is logged and tried again at the next interval:
    housekeeping must never stop the server. Start-up housekeeping marks
    failed the download jobs a stopped or crashed process left running.
    """
    stop = threading.Event()

    async def loop() -> None:
        while True:
            try:
                done = await run_in_threadpool(
                    run_in_transaction, engine, lambda conn: _housekeep(conn, settings)
                )
                logger.info("Housekeeping removed %s", done)
            except Exception:
                logger.exception("Housekeeping failed; will try again")
            await asyncio.sleep(settings.housekeeping_minutes * 60)

    busy = [False]  # inside run_next: shutdown lets it finish (a job stops at its next batch)

    async def downloads() -> None:
        while not stop.is_set():
            busy[0] = True
            try:
                ran = await _in_daemon_thread(lambda: run_next(engine, settings, stop))
            except Exception:
                logger.exception("Download job runner failed; will try again")
                ran = None
            finally:
                busy[0] = False
            if ran is None:
                await asyncio.sleep(settings.download_poll_seconds)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:  # perf: the first upload of this process must not compile the big probes
            await run_in_threadpool(run_in_transaction, engine, warm_up, read_only=True)
        except Exception:
            logger.exception("Preparing the upload statements failed; the first upload will")
        # perf: nor import the task definitions (~100 ms), which the index needs.
        await run_in_threadpool(all_tasks)
        tasks: list[asyncio.Task[None]] = []
        if settings.download_runner:
            tasks.append(asyncio.create_task(downloads()))
        if settings.housekeeping_minutes > 0:
            tasks.append(asyncio.create_task(loop()))
        try:
            yield
        finally:
            stop.set()  # a running job stops at its next batch and is marked failed
            if busy[0]:
                with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(asyncio.shield(tasks[0]), timeout=20)
            for task in tasks:
                task.cancel()

    return lifespan


def create_app(settings: Settings, engine: sa.Engine | None = None) -> Starlette:
    engine = engine or make_engine(settings.effective_db_url)
    api = ClientApi(engine, settings)

    gate = LargeRequestGate(settings)
    tablets = InFlight()  # web pages make room for these (web_page_pause)

    async def client_api(request: Request) -> Response:
        if request.method != "POST":
            return HTMLResponse(SIGNPOST_HTML)
        declared = request.headers.get("content-length", "")
        size = int(declared) if declared.isdigit() else 0
        try:
            # A large declared body waits for its turn before it is read.
            async with gate.turn(size if size <= settings.max_body_bytes else 0):
                return await _serve(request, size)
        except ServerBusy as exc:
            with contextlib.suppress(RuntimeError):  # RuntimeError: already read (chunked)
                async for _ in request.stream():  # drain the unread body; keep none of it
                    pass
            return PlainTextResponse(
                error_reply(str(exc), "", ""), status_code=503, headers={"Retry-After": "60"}
            )

    async def _serve(request: Request, declared: int) -> Response:
        try:
            body = await read_body_limited(request, settings.max_body_bytes)
        except BodyTooLarge:
            text = error_reply(
                f"Request body too large (limit max_body_bytes={settings.max_body_bytes})", "", ""
            )
            return PlainTextResponse(text, status_code=413)
        remote = request.client.host if request.client else None
        # Handed over in a list that handle() empties, so the body is freed once decoded.
        holder = [body]
        del body
        body_bytes = len(holder[0])
        # A chunked (undeclared) large body takes its turn once read.
        async with gate.turn(0 if gate.is_large(declared) else len(holder[0])):
            with tablets.track():
                result = await run_in_threadpool(api.handle, holder, request.url.query, remote)
        # What the observability middleware reports (metrics, slow-request log).
        request.state.copse_api = {
            "operation": result.operation,
            "outcome": result.outcome,
            "device": result.device,
            "rows": result.rows,
            "body_bytes": body_bytes,
        }
        return Response(
            result.body, status_code=result.status, media_type="text/plain; charset=utf-8"
        )

    routes = [
        Route("/api", client_api, methods=["GET", "POST", "HEAD"]),
        Route("/database", client_api, methods=["GET", "POST", "HEAD"]),
        *ops_routes(settings, engine, [download_jobs.metric_readings]),
        *readapi_routes(engine, settings),
    ]
    app = Starlette(routes=routes, lifespan=housekeeping_lifespan(settings, engine))
    # The web front end: its own routes, error pages and headers.
    from copse.web.app import install as install_web

    install_web(app, settings, engine, tablets)
    # Outermost, so every request (API, web, health) gets an id and is counted.
    app.add_middleware(ObservabilityMiddleware, settings=settings, engine=engine)
    app.state.engine = engine
    app.state.settings = settings
    return app


def app_from_env() -> Starlette:
    """Factory for ``uvicorn --factory`` (used for several workers)."""
    from copse.config import load_settings
    from copse.logs import configure_logging

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings)
