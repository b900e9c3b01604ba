"""The one HTTP -> client-API adapter.

Path of a request: read the body within limits, decode the form, set up the
request (400 for the cases wire.md §2.1 lists), then ONE transaction:
establish the login session, then run the operation in a savepoint: lock
the device row, check permissions, call the handler.  (A request that names
its device and its session, i.e. every request of a conversation after the
first, locks the device and reads its session in one statement first.)  The
reply is encoded only after that transaction has committed.  An error in the operation rolls
back to the savepoint (the session's row and any failed-login record stay,
so the ``success:0`` reply names a session that exists); a transient
conflict (deadlock) retries the whole transaction.  One transaction instead
of two (session, then operation) saves a pool checkout, a BEGIN and a
COMMIT, i.e. a log flush, per request: most of a small request's cost.
"""

from __future__ import annotations

import codecs
import logging
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast
from urllib.parse import unquote_to_bytes

import sqlalchemy as sa

from copse.accounts.api_sessions import (
    SessionInfo,
    SessionLookup,
    establish_session,
    parse_session_id,
)
from copse.accounts.login_cache import VerifiedLogins
from copse.accounts.users import get_user_by_id
from copse.api.context import ApiRequest, Caller
from copse.api.operations import OPERATIONS, Operation, Result, load_all
from copse.api.permissions import check_permission
from copse.config import Settings
from copse.db.tx import is_transient, run_in_transaction
from copse.errors import BadRequest, CopseError, LimitExceeded, ServerError, UserError
from copse.ops.metrics import ACTIVE_UPLOADS
from copse.records.devicelock import LockedDevice, lock_device_named, lock_device_with_session
from copse.schema.registry import TABLES
from copse.wire.dates import utcnow
from copse.wire.form import Form
from copse.wire.reply import error_reply, success_reply
from copse.wire.version import check_client_version, make_version

logger = logging.getLogger(__name__)

NOT_VALID_REQUEST = "Not a valid CamCOPS API request\n"
_OPERATION_RE = re.compile(r"^[A-Za-z0-9_]+$")
_DEVICE_OR_USER_RE = re.compile(r"^[A-Za-z0-9,_\-{}]{1,191}$")
RESERVED_DEVICE = "server"
RESERVED_USER = "system"


class _RolledBack(Exception):
    """An operation failed in a transaction that held nothing to keep; it was rolled back."""

    def __init__(self, session: SessionInfo, error: Exception) -> None:
        super().__init__(str(error))
        self.session = session
        self.error = error


@dataclass
class ApiResponse:
    """The reply, plus what monitoring wants to know about the request.

    ``outcome`` is ``success``, ``error`` (a ``success:0`` reply),
    ``bad_request`` (HTTP 400), ``too_large`` or ``unavailable``; ``rows``
    counts the rows a successful upload request carried, by table kind.
    """

    status: int
    body: str
    operation: str = ""
    outcome: str = ""
    device: str = ""
    rows: dict[str, int] = field(default_factory=dict)


#: Operations that change a device's records (counted as active uploads).
UPLOAD_OPERATIONS = frozenset(
    {
        "start_upload",
        "start_preservation",
        "upload_empty_tables",
        "upload_table",
        "upload_record",
        "delete_where_key_not",
        "which_keys_to_send",
        "end_upload",
        "upload_entire_database",
    }
)


def table_kind(table: str) -> str:
    """A bounded label for a client table: task, ancillary or the core table's name."""
    info = TABLES.get(table)
    if info is None:
        return "unknown"
    return table if info.kind == "core" else info.kind


def uploaded_rows(req: ApiRequest) -> dict[str, int]:
    """Rows a successful upload request carried, by table kind (for metrics)."""
    out: dict[str, int] = {}
    if req.operation == "upload_table":
        table = req.form.optional_str("table") or ""
        n = req.form.optional_str("nrecords") or "0"
        out[table_kind(table)] = int(n) if n.isdigit() else 0
    elif req.operation == "upload_record":
        out[table_kind(req.form.optional_str("table") or "")] = 1
    elif req.operation == "upload_entire_database":
        payload = req.memo.get("onestep")
        for table, rows in getattr(payload, "rows", {}).items():
            kind = table_kind(table)
            out[kind] = out.get(kind, 0) + len(rows)
    return out


def _count_fields(text: str) -> int:
    # As parse_qsl counts them: one more than the number of separators.
    return text.count("&") + 1 if text else 0


def decode_form(body: bytes | list[bytes], query: str, max_fields: int) -> dict[str, str]:
    """Form-decode body and query string; the query string wins, as in the reference.

    ``max_fields`` caps body and query string together (a LimitExceeded
    naming ``max_form_fields``).  The body is decoded as bytes, never copied
    to text first: a one-step upload's body is tens of MB, and percent-decoding
    it is the biggest cost of the request after the database work, so the
    common case runs at C speed (:func:`_percent_decode`).  A body handed over
    in a one-element list is taken out of it, and the part already parsed is
    let go before a large value is decoded (peak memory).
    """
    owner = isinstance(body, list)
    if isinstance(body, list):
        body = body.pop()
    n = body.count(b"&") + 1 if body else 0
    n += _count_fields(query)
    if n > max_fields:
        raise LimitExceeded(f"Too many form fields: {n} (limit max_form_fields={max_fields})")
    if not body.isascii():
        # Raw non-ASCII bytes are not valid form encoding, but be lenient
        # about UTF-8 sent unescaped (invalid UTF-8 raises UnicodeDecodeError).
        body.decode("utf-8")
    fields: dict[str, str] = {}
    # parse_qsl(keep_blank_values=True) semantics: "+" is a space, escapes
    # decode to UTF-8 (strictly), a pair without "=" has a blank value.
    # One field is sliced out at a time (no list of all parts): a one-step
    # body is one huge field, and every copy of it counts in the peak memory.
    i, end = 0, len(body)
    while i < end:
        j = body.find(b"&", i)
        if j < 0:
            j = end
        if j > i:
            k = body.find(b"=", i, j)
            if k < 0:
                fields[_unquote_plus_bytes(body[i:j])] = ""
            elif owner and j - k > _BIG_FIELD:
                name = _unquote_plus_bytes(body[i:k])
                value = [body[k + 1 : j]]
                body = body[j:]  # only the unparsed rest stays: the original is freed
                end, j = len(body), 0
                fields[name] = _unquote_plus_bytes(value)
            else:
                fields[_unquote_plus_bytes(body[i:k])] = _unquote_plus_bytes(body[k + 1 : j])
        i = j + 1
    for qpart in query.split("&") if query else ():
        if not qpart:
            continue
        name_s, _, value_s = qpart.partition("=")
        fields[_unquote_plus_bytes(name_s.encode("utf-8"))] = _unquote_plus_bytes(
            value_s.encode("utf-8")
        )
    return fields


#: Values larger than this are decoded with the rest of the body let go first.
_BIG_FIELD = 1024 * 1024


def _unquote_plus_bytes(b: bytes | list[bytes]) -> str:
    """``urllib.parse.unquote_plus`` of UTF-8 bytes, decoding strictly.

    Bytes in a one-element list are taken out of it, so that each step below
    frees the previous copy.
    """
    if isinstance(b, list):
        b = b.pop()
    b = b.replace(b"+", b" ")  # each step drops the previous copy (peak memory)
    if b"%" in b:
        b = _percent_decode(b)
    return b.decode("utf-8")


def _percent_decode(b: bytes) -> bytes:
    """``urllib.parse.unquote_to_bytes``, in C for well-formed input.

    Every ``%XX`` becomes ``\\xXX`` (literal backslashes doubled first) and
    the C ``escape_decode`` turns the lot into bytes: about 15x faster than
    the stdlib's per-escape Python loop, with no temporary string per escape.
    A malformed escape (``%`` not followed by two hex digits) makes it fail;
    such bodies take the stdlib path, which keeps malformed escapes as they
    are, so the result is always exactly the stdlib's.
    """
    try:
        out, _ = codecs.escape_decode(b.replace(b"\\", b"\\\\").replace(b"%", b"\\x"))
    except ValueError:
        return unquote_to_bytes(b)
    return out


def _session_lines(session: SessionInfo | None) -> tuple[object, object]:
    if session is None:
        return "", ""
    return session.reply_id, session.token


class ClientApi:
    """Holds the engine and settings; ``handle`` serves one request (sync, thread-safe).

    Also this process's memory of tablet passwords just checked
    (``login_cache_seconds``, :mod:`copse.accounts.login_cache`).
    """

    def __init__(self, engine: sa.Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.verified_logins = VerifiedLogins(settings.login_cache_seconds)
        load_all()

    def handle(self, body: bytes | list[bytes], query: str, remote_addr: str | None) -> ApiResponse:
        """Serve one request.

        ``body`` may be handed over in a one-element list, which is emptied:
        then the caller keeps no reference and the body's memory is freed as
        soon as it is decoded (a one-step upload's body is tens of MB, and it
        would otherwise live as long as the request).
        """
        holder = body if isinstance(body, list) else [body]
        del body
        return self._handle(holder, query, remote_addr)

    def _handle(self, holder: list[bytes], query: str, remote_addr: str | None) -> ApiResponse:
        session: SessionInfo | None = None
        detail: dict[str, str] = {"operation": "", "device": ""}

        def reply(status: int, body: str, outcome: str) -> ApiResponse:
            return ApiResponse(status, body, detail["operation"], outcome, detail["device"])

        try:
            cap = self.settings.max_body_bytes
            if len(holder[0]) > cap:
                # The HTTP layer refuses such bodies before reading them all
                # (copse.app); this keeps in-process callers to the same rule.
                return reply(
                    413,
                    error_reply(f"Request body too large (limit max_body_bytes={cap})", "", ""),
                    "too_large",
                )
            try:
                form_fields = decode_form(holder, query, self.settings.max_form_fields)
            except UnicodeDecodeError:
                raise UserError("Request is not valid form data: invalid UTF-8") from None
            except ValueError as exc:
                if "Max number of fields" in str(exc):
                    limit = self.settings.max_form_fields
                    raise UserError(
                        f"Too many form fields (limit max_form_fields={limit})"
                    ) from None
                raise UserError(f"Request is not valid form data: {exc}") from None
            form = Form(form_fields)
            try:
                req = self._set_up(form, remote_addr)
            except BadRequest as exc:
                logger.info("Bad client API request: %s", exc)
                return reply(400, NOT_VALID_REQUEST, "bad_request")
            op_name = req.operation or ""
            detail["operation"] = op_name if op_name in OPERATIONS else "unknown"
            detail["device"] = req.device_name or ""
            op = OPERATIONS.get(req.operation or "")
            is_upload = op is not None and op.name in UPLOAD_OPERATIONS
            if is_upload:
                ACTIVE_UPLOADS.inc()
            try:
                session, result, failure = run_in_transaction(
                    self.engine, lambda conn: self._session_and_run(conn, form, op, req)
                )
            except _RolledBack as rolled_back:  # the whole transaction: nothing to keep
                session, result, failure = rolled_back.session, None, rolled_back.error
            finally:
                if is_upload:
                    ACTIVE_UPLOADS.dec()
            if failure is not None:
                raise failure
            assert op is not None  # no operation is a failure above
            pairs: list[tuple[str, object]]
            if result is None:
                pairs = [("result", op.name)]
            elif isinstance(result, str):
                pairs = [("result", result)]
            else:
                pairs = list(cast(Iterable[tuple[str, object]], result))
            sid, token = _session_lines(session)
            done = reply(200, success_reply(pairs, sid, token), "success")
            done.rows = uploaded_rows(req) if is_upload else {}
            return done
        except ServerError as exc:
            sid, token = _session_lines(session)
            return reply(503, error_reply(exc.message, sid, token), "unavailable")
        except CopseError as exc:
            sid, token = _session_lines(session)
            return reply(200, error_reply(exc.message, sid, token), "error")
        except Exception as exc:  # the reply must never be a traceback or a 500
            ref = uuid.uuid4().hex[:12]
            logger.exception("Unexpected error in client API request (ref %s)", ref)
            sid, token = _session_lines(session)
            if isinstance(exc, sa.exc.DBAPIError):
                # Database messages can echo SQL parameters (patient data).
                message = f"{type(exc.orig).__name__}: database error (server log reference {ref})"
            else:
                message = f"{type(exc).__name__}: {exc}"
            return reply(200, error_reply(message, sid, token), "error")

    def _set_up(self, form: Form, remote_addr: str | None) -> ApiRequest:
        operation = form.optional_str("operation")
        device = form.optional_str("device")
        user = form.optional_str("user")
        if operation is not None and not _OPERATION_RE.match(operation):
            raise BadRequest(f"Bad 'operation' parameter: {operation!r}")
        for key, value in (("device", device), ("user", user)):
            if value is not None and not _DEVICE_OR_USER_RE.match(value):
                raise BadRequest(f"Bad '{key}' parameter: {value!r}")
        version_str = form.optional_str("camcops_version")
        version = make_version(version_str)
        if device == RESERVED_DEVICE:
            raise BadRequest("Tablets cannot use the device name 'server'")
        if user == RESERVED_USER:
            raise BadRequest("Tablets cannot use the username 'system'")
        check_client_version(version, version_str)
        return ApiRequest(
            settings=self.settings,
            form=form,
            operation=operation,
            device_name=device,
            username=user,
            password=form.optional_str("password"),
            client_version=version,
            client_version_str=version_str or "",
            remote_addr=remote_addr,
            now_utc=utcnow(),
        )

    def _session_and_run(
        self, conn: sa.Connection, form: Form, op: Operation | None, req: ApiRequest
    ) -> tuple[SessionInfo, Result, Exception | None]:
        """The request's one transaction: the session, then the operation in a savepoint.

        When the session work wrote nothing (a live session, already logged
        in), the operation runs without a savepoint and a failure rolls back
        the whole transaction (:class:`_RolledBack`): the same outcome, since
        there was nothing of the session's to keep.

        Returns (session, result, None), or (session, None, the operation's
        error) after rolling the operation back to the savepoint: the session
        work is committed either way.  A transient conflict is raised instead,
        so that ``run_in_transaction`` retries the whole transaction (on
        MariaDB a deadlock has already rolled everything back, savepoint
        included).
        """
        session_id = form.optional_str("session_id")
        session_token = form.optional_str("session_token")
        sid = parse_session_id(session_id)
        prelocked: LockedDevice | None = None
        looked_up: SessionLookup | None = None
        if op is not None and req.device_name and sid is not None and session_token:
            # perf: the device lock and the session look-up in one round trip.
            both = lock_device_with_session(
                conn,
                req.device_name,
                self.settings,
                sid=sid,
                token=session_token,
                ip=req.remote_addr,
                now=req.now_utc,
            )
            if both is not None:
                prelocked, looked_up = both
        session = establish_session(
            conn,
            self.settings,
            session_id=session_id,
            session_token=session_token,
            username=req.username,
            password=req.password,
            remote_addr=req.remote_addr,
            now=req.now_utc,
            verified=self.verified_logins,
            looked_up=looked_up,
        )
        if op is None:
            return session, None, UserError(f"operation={req.operation}: not supported")
        if not session.wrote:
            # perf: the session work only read, so a failed operation can take
            # the whole transaction with it; no savepoint (two round trips).
            try:
                return session, self._run(conn, op, req, session, prelocked), None
            except Exception as exc:
                if is_transient(exc):
                    raise
                raise _RolledBack(session, exc) from exc
        savepoint = conn.begin_nested()
        try:
            result = self._run(conn, op, req, session, prelocked)
        except Exception as exc:
            if is_transient(exc):
                raise
            savepoint.rollback()
            return session, None, exc
        savepoint.commit()
        return session, result, None

    def _run(
        self,
        conn: sa.Connection,
        op: Operation,
        req: ApiRequest,
        session: SessionInfo,
        locked: LockedDevice | None,
    ) -> Result:
        # Serialize every request for one device, and with administrators' actions on its
        # records: the lock is held until this transaction ends (``locked``: taken already,
        # with the session look-up).
        if locked is None and req.device_name:
            locked = lock_device_named(conn, req.device_name)
        user = session.user
        if user is None and session.user_id is not None:
            user = get_user_by_id(conn, session.user_id)
        caller = Caller(user, locked.id if locked else None, session.login_error, locked)
        check_permission(conn, op.permission, caller)
        return op.handler(conn, req, caller)
