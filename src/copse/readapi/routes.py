"""The read API's router: every operation module, mounted below ``/read/v1``.

Adding a resource (e.g. the downloads: start a job, poll it, fetch the
file) is one module with an ``OPERATIONS`` tuple, added to :data:`MODULES`;
its routes and its part of the OpenAPI document then follow.
"""

from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, version
from types import ModuleType

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route

from copse.config import Settings
from copse.readapi import openapi, ops_downloads, ops_patients, ops_reference, ops_tasks
from copse.readapi.endpoint import PREFIX, Operation, endpoint, error_response

MODULES: tuple[ModuleType, ...] = (ops_reference, ops_patients, ops_tasks, ops_downloads)
DOCS_PATH = "/read/docs"
OPENAPI_PATH = "/openapi.json"


def operations() -> list[Operation]:
    return [op for m in MODULES for op in m.OPERATIONS]


def _version() -> str:
    try:
        return version("copse")
    except PackageNotFoundError:
        return "0"


def api_app(
    engine: sa.Engine, ops: list[Operation] | None = None, settings: Settings | None = None
) -> Starlette:
    """The read API as its own small app, so its 404/405/500 replies are JSON too.

    ``ops``: the operations to serve (default: every module's).
    """

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        status = exc.status_code
        message = {404: "No such resource", 405: "This resource does not accept that method"}.get(
            status, exc.detail
        )
        return error_response(status, message)

    async def server_error(request: Request, exc: Exception) -> Response:
        return error_response(500, "Internal error; it has been logged")

    served = operations() if ops is None else ops
    routes = [Route(op.path, endpoint(engine, op, settings), methods=[op.method]) for op in served]
    return Starlette(
        routes=routes,
        exception_handlers={HTTPException: http_error, Exception: server_error},
    )


def routes(engine: sa.Engine, settings: Settings | None = None) -> list[Route | Mount]:
    """The mount of the API, the OpenAPI document and the docs page."""
    ops = operations()
    doc = json.dumps(openapi.document(ops, _version()), indent=1).encode("utf-8")
    page = openapi.docs_page(ops)

    async def openapi_json(request: Request) -> Response:
        return Response(doc, media_type="application/json")

    async def docs(request: Request) -> Response:
        return HTMLResponse(page)

    return [
        Route(OPENAPI_PATH, openapi_json, methods=["GET"]),
        Route(DOCS_PATH, docs, methods=["GET"]),
        Mount(PREFIX, app=api_app(engine, settings=settings)),
    ]
