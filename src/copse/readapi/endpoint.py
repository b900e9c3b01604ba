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
from copse.config import Settings
from copse.db.tx import run_in_transaction
from copse.errors import UserError
from copse.readapi.params import Param, parse_params
from copse.wire.dates import utcnow

logger = logging.getLogger(__name__)

PREFIX = "/read/v1"
AUDIT_SOURCE = "api"
NOT_FOUND = "Not found, or you may not see it."
MAX_BODY = 64 * 1024

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
    #: The JSON body of a non-GET operation (empty for GETs).
    body: Mapping[str, Any] = field(default_factory=dict)
    #: The server's settings (None in an app built without them, e.g. some tests).
    settings: Settings | None = None

    @property
    def groups(self) -> frozenset[int] | None:
        """Groups whose data this user may see; None = every group (superuser)."""
        return None if self.user.superuser else self.user.visible_group_ids

    def path_param(self, name: str) -> str:
        return str(self.request.path_params[name])


Handler = Callable[[ApiContext], "Json | Response"]


@dataclass(frozen=True)
class Operation:
    """One operation of the read API (a path below :data:`PREFIX`).

    A GET runs in a read-only transaction.  Any other method (e.g. a POST
    that starts a download job) runs in a write transaction that also holds
    its audit entry, and is rolled back whole if the handler refuses; its
    JSON body (at most :data:`MAX_BODY` bytes) is in ``ctx.body``.
    """

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

    @property
    def writes(self) -> bool:
        return self.method != "GET"


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


class _RollBack(Exception):
    """A writing operation refused: undo its writes, then audit the refusal."""

    def __init__(self, outcome: _Outcome) -> None:
        super().__init__(outcome.status)
        self.outcome = outcome


def _describe(request: Request) -> str:
    query = request.url.query
    line = f"{request.method} {request.url.path}" + (f"?{query}" if query else "")
    return line[:2000]


def _audit_details(request: Request, outcome: _Outcome) -> str:
    details = f"Read API: {_describe(request)} -> {outcome.status}"
    if outcome.ctx is not None and outcome.ctx.rows is not None:
        details += f"; {outcome.ctx.rows} rows"
    return details


def _record(conn: sa.Connection, request: Request, outcome: _Outcome, now: datetime) -> None:
    """The token's last use and the call's audit entry."""
    assert outcome.token_id is not None
    ctx = outcome.ctx
    api_tokens.touch(conn, outcome.token_id, now)
    audit(
        conn,
        _audit_details(request, outcome),
        source=AUDIT_SOURCE,
        now=now,
        remote_addr=request.client.host if request.client else None,
        user_id=outcome.user_id,
        table_name=ctx.table if ctx else None,
        server_pk=ctx.pk if ctx else None,
        patient_server_pk=ctx.patient_pk if ctx else None,
    )


def _serve(
    engine: sa.Engine, op: Operation, request: Request, body: Json, settings: Settings | None
) -> Response:
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
            ctx = ApiContext(request, conn, user, now, params, body=body, settings=settings)
            result = op.handler(ctx)
        except (ApiError, UserError) as exc:
            status = exc.status if isinstance(exc, ApiError) else 400
            refused = _Outcome(error_response(status, exc.message), status, user.id, check.token_id)
            if op.writes:
                raise _RollBack(refused) from None
            return refused
        response = result if isinstance(result, Response) else json_response(200, result)
        done = _Outcome(response, 200, user.id, check.token_id, ctx)
        if op.writes:
            _record(conn, request, done, now)
        return done

    try:
        outcome = run_in_transaction(engine, read, read_only=not op.writes)
    except _RollBack as exc:
        outcome = exc.outcome
    if outcome.token_id is None or outcome.user_id is None:
        logger.info("Read API call refused (%s): %s", outcome.status, request.url.path)
        return outcome.response
    if op.writes and outcome.status == 200:
        return outcome.response  # audited in its own transaction
    try:
        run_in_transaction(engine, lambda conn: _record(conn, request, outcome, now))
    except Exception:
        logger.exception("Could not write the audit entry of a read API call")
        return error_response(503, "The server could not record this request; try again")
    return outcome.response


def endpoint(
    engine: sa.Engine, op: Operation, settings: Settings | None = None
) -> Callable[[Request], Any]:
    """The Starlette endpoint of one operation."""

    async def serve(request: Request) -> Response:
        body: Json = {}
        if op.writes:
            raw = await request.body()
            if len(raw) > MAX_BODY:
                return error_response(413, f"body: larger than {MAX_BODY} bytes")
            try:
                parsed = json.loads(raw) if raw.strip() else {}
            except (ValueError, UnicodeDecodeError):
                return error_response(400, "body: not valid JSON")
            if not isinstance(parsed, dict):
                return error_response(400, "body: must be a JSON object")
            body = parsed
        try:
            return await run_in_threadpool(_serve, engine, op, request, body, settings)
        except Exception:
            logger.exception("Read API error on %s", request.url.path)
            return error_response(500, "Internal error; it has been logged")

    serve.__name__ = op.operation_id
    return serve
