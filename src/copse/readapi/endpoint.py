"""The read API's one HTTP adapter: token check, parameters, transactions, audit, JSON.

Each operation is declared once as an :class:`Operation` (path, parameters,
handler, what it returns); the router and the OpenAPI document are both
built from the same declarations, so they cannot disagree.

Per request, in this order:

1. one *read-only* transaction: the bearer token is looked up (401 if it is
   missing, unknown, expired or revoked; 403 if its user may not use the
   web viewer any more), the query string is checked against the
   operation's parameters (400 naming the field), and the handler runs;
2. one short write transaction: the token's last-used time and the audit
   entry (who, the request with its filters, the status, how many rows).
   The reply leaves only after that commit, so no data is ever served
   without its audit entry; if the entry cannot be written the client gets
   a 503 and no data.

Errors are JSON ``{"status": 400, "error": "..."}``; a task, patient or
BLOB that does not exist and one the user may not see are both 404 with the
same message, so guessing keys reveals nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from copse.accounts import api_tokens
from copse.accounts.web_sessions import WebUser, load_user
from copse.audit import audit
from copse.db.tx import run_in_transaction
from copse.errors import UserError
from copse.readapi.params import Param, parse_params
from copse.wire.dates import utcnow

logger = logging.getLogger(__name__)

PREFIX = "/read/v1"
AUDIT_SOURCE = "api"
NOT_FOUND = "Not found, or you may not see it."

Json = dict[str, Any]


class ApiError(Exception):
    """An error reply with this status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def not_found() -> ApiError:
    return ApiError(404, NOT_FOUND)


@dataclass
class ApiContext:
    """One request as handlers see it."""

    request: Request
    conn: sa.Connection
    user: WebUser
    now: datetime
    params: Mapping[str, Any]
    #: What the audit entry says beyond the request line.
    rows: int | None = None
    table: str | None = None
    pk: int | None = None
    patient_pk: int | None = None

    @property
    def groups(self) -> frozenset[int] | None:
        """Groups whose data this user may see; None = every group (superuser)."""
        return None if self.user.superuser else self.user.visible_group_ids

    def path_param(self, name: str) -> str:
        return str(self.request.path_params[name])


Handler = Callable[[ApiContext], "Json | Response"]


@dataclass(frozen=True)
class Operation:
    """One operation of the read API (a GET on a path below :data:`PREFIX`)."""

    path: str
    operation_id: str
    summary: str
    description: str
    handler: Handler
    params: tuple[Param, ...] = ()
    #: Name of the response schema in the OpenAPI document's components.
    schema: str = "Object"
    #: Media type of a successful reply.
    media_type: str = "application/json"
    method: str = "GET"
    tags: tuple[str, ...] = field(default=())


def json_response(status: int, body: Json) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        status_code=status,
        media_type="application/json",
    )


def error_response(status: int, message: str) -> Response:
    headers = {"WWW-Authenticate": 'Bearer realm="copse"'} if status == 401 else None
    r = json_response(status, {"status": status, "error": message})
    if headers:
        r.headers.update(headers)
    return r


UNAUTHORISED = {
    "missing": "No API token: send it as 'Authorization: Bearer <token>'",
    "invalid": "The API token is not valid",
    "expired": "The API token has expired",
    "revoked": "The API token has been revoked",
}


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


@dataclass
class _Outcome:
    response: Response
    status: int
    user_id: int | None = None
    token_id: int | None = None
    ctx: ApiContext | None = None


def _describe(request: Request) -> str:
    query = request.url.query
    line = f"{request.method} {request.url.path}" + (f"?{query}" if query else "")
    return line[:2000]


def _serve(engine: sa.Engine, op: Operation, request: Request) -> Response:
    now = utcnow()
    presented = bearer_token(request)
    if presented is None:
        return error_response(401, UNAUTHORISED["missing"])

    def read(conn: sa.Connection) -> _Outcome:
        check = api_tokens.authenticate(conn, presented, now)
        if check.refusal in UNAUTHORISED:
            return _Outcome(error_response(401, UNAUTHORISED[check.refusal or ""]), 401)
        assert check.user_id is not None and check.token_id is not None
        user = load_user(conn, check.user_id)
        if user is None:
            return _Outcome(error_response(401, UNAUTHORISED["invalid"]), 401)
        if check.refusal is not None:
            message = "This account may not use the read API (no web viewer permission)"
            return _Outcome(error_response(403, message), 403, user.id, check.token_id)
        try:
            params = parse_params(op.params, request)
            ctx = ApiContext(request, conn, user, now, params)
            result = op.handler(ctx)
        except ApiError as exc:
            failed = error_response(exc.status, exc.message)
            return _Outcome(failed, exc.status, user.id, check.token_id)
        except UserError as exc:
            return _Outcome(error_response(400, exc.message), 400, user.id, check.token_id)
        response = result if isinstance(result, Response) else json_response(200, result)
        return _Outcome(response, 200, user.id, check.token_id, ctx)

    outcome = run_in_transaction(engine, read, read_only=True)
    if outcome.token_id is None or outcome.user_id is None:
        logger.info("Read API call refused (%s): %s", outcome.status, request.url.path)
        return outcome.response
    ctx = outcome.ctx
    details = f"Read API: {_describe(request)} -> {outcome.status}"
    if ctx is not None and ctx.rows is not None:
        details += f"; {ctx.rows} rows"
    token_id, user_id = outcome.token_id, outcome.user_id
    remote = request.client.host if request.client else None

    def write(conn: sa.Connection) -> None:
        api_tokens.touch(conn, token_id, now)
        audit(
            conn,
            details,
            source=AUDIT_SOURCE,
            now=now,
            remote_addr=remote,
            user_id=user_id,
            table_name=ctx.table if ctx else None,
            server_pk=ctx.pk if ctx else None,
            patient_server_pk=ctx.patient_pk if ctx else None,
        )

    try:
        run_in_transaction(engine, write)
    except Exception:
        logger.exception("Could not write the audit entry of a read API call")
        return error_response(503, "The server could not record this request; try again")
    return outcome.response


def endpoint(engine: sa.Engine, op: Operation) -> Callable[[Request], Any]:
    """The Starlette endpoint of one operation."""

    async def serve(request: Request) -> Response:
        try:
            return await run_in_threadpool(_serve, engine, op, request)
        except Exception:
            logger.exception("Read API error on %s", request.url.path)
            return error_response(500, "Internal error; it has been logged")

    serve.__name__ = op.operation_id
    return serve
