"""A benchmark tablet: the real client's call sequences (wire.md §6.1, §6.3) over HTTP.

Only the HTTP round trips are timed (request bodies are built before the
clock starts), so the times are the server's work plus loopback transfer,
not the client's encoding.  The transport is the standard library's
``http.client`` on one keep-alive connection, as the tablet's Qt network
stack keeps one: a round trip through it costs the client ~0.15 ms of its
own, through ``httpx`` (used until 2026-12-05) ~0.45 ms, which was in every
timed round trip (bench/NOTES.md, round fifteen).  The conversation is the client's:

    check_device_registered -> check_upload_user_and_device -> get_id_info
    -> validate_patients -> get_allowed_tables
    -> one-step: upload_entire_database
    -> stepwise: start_upload [-> start_preservation] -> upload_empty_tables
       -> upload_table x N (alphabetical) -> blobs: delete_where_key_not
       -> which_keys_to_send -> upload_record x k -> end_upload
"""

from __future__ import annotations

import http.client
import json
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from bench.datagen import TabletData
from copse.schema.registry import BLOB_TABLE, PATIENT_IDNUM_TABLE, PATIENT_TABLE
from copse.wire.reply import parse_reply
from copse.wire.values import encode_client_value

CLIENT_VERSION = "2.4.24"
#: The upload-phase operations: their time is the "upload time" compared with the raw insert.
UPLOAD_PHASE = {
    "upload_entire_database",
    "start_upload",
    "start_preservation",
    "upload_empty_tables",
    "upload_table",
    "delete_where_key_not",
    "which_keys_to_send",
    "upload_record",
    "end_upload",
}


FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
#: A connection idle this long is replaced before the next request, well
#: inside the server's keep-alive time-out (75 s in ``copse serve``; 5 s in
#: uvicorn's default), so the server never closes one under a request.
IDLE_RECONNECT_S = 2.0


class UploadError(Exception):
    pass


def qt_form_encode(fields: dict[str, str]) -> bytes:
    """As Qt's QUrlQuery: keys ascending, all but A-Z a-z 0-9 - . _ ~ percent-encoded."""
    return "&".join(
        f"{quote(k, safe='-._~')}={quote(v, safe='-._~')}" for k, v in sorted(fields.items())
    ).encode("ascii")


@dataclass
class Timing:
    """What one conversation cost."""

    total_s: float = 0.0  # every request's round trip
    upload_s: float = 0.0  # the upload-phase requests only
    requests: int = 0
    body_bytes: int = 0
    max_body_bytes: int = 0
    per_op: dict[str, float] = field(default_factory=dict)


class BenchTablet:
    """One device: its data and its HTTP conversations."""

    def __init__(
        self,
        api_url: str,
        user: str,
        password: str,
        data: TabletData,
        device: str | None = None,
        timeout: float = 600.0,
    ) -> None:
        self.api_url = api_url
        self.user = user
        self.password = password
        self.data = data
        self.device = device or "{" + str(uuid.UUID(int=data.seed * 7_777 + 1)) + "}"
        url = urlsplit(api_url)
        self._host = url.hostname or "127.0.0.1"
        self._port = url.port or 80
        self._path = url.path or "/"
        self.timeout = timeout
        self.http = self._connection()
        self._last_used = 0.0
        self._session: tuple[str, str] | None = None
        self.timing = Timing()

    def close(self) -> None:
        self.http.close()

    # -- transport ----------------------------------------------------------

    def call(self, operation: str, **extra: str) -> dict[str, str]:
        fields = {
            "operation": operation,
            "camcops_version": CLIENT_VERSION,
            "device": self.device,
            "user": self.user,
            "password": self.password,
        }
        if self._session is not None:
            fields["session_id"], fields["session_token"] = self._session
        fields.update(extra)
        body = qt_form_encode(fields)
        t0 = time.perf_counter()
        status, text = self._send(body)
        dt = time.perf_counter() - t0
        tm = self.timing
        tm.total_s += dt
        tm.requests += 1
        tm.body_bytes += len(body)
        tm.max_body_bytes = max(tm.max_body_bytes, len(body))
        tm.per_op[operation] = tm.per_op.get(operation, 0.0) + dt
        if operation in UPLOAD_PHASE:
            tm.upload_s += dt
        if status != 200:
            raise UploadError(f"HTTP {status} on {operation}: {text[:300]}")
        d = parse_reply(text)
        if "session_id" in d and "session_token" in d:
            self._session = (d["session_id"], d["session_token"])
        if d.get("success") != "1":
            raise UploadError(f"{operation}: {d.get('error')}")
        return d

    def _connection(self) -> http.client.HTTPConnection:
        # Connects lazily, on its first request (inside that request's time, as before).
        return http.client.HTTPConnection(self._host, self._port, timeout=self.timeout)

    def _send(self, body: bytes) -> tuple[int, str]:
        if time.monotonic() - self._last_used > IDLE_RECONNECT_S:
            self._fresh_connection()
        self.http.request(
            "POST", self._path, body=body, headers={"Content-Type": FORM_CONTENT_TYPE}
        )
        r = self.http.getresponse()
        text = r.read().decode("utf-8")
        self._last_used = time.monotonic()
        return r.status, text

    # -- conversations ------------------------------------------------------

    def register(self) -> None:
        self._session = None
        self.call("register", devicefriendlyname=f"bench {self.device}")
        self.call("get_allowed_tables")
        self.call("get_extra_strings")
        self._session = None
        self._fresh_connection()

    def _fresh_connection(self) -> None:
        # A tablet's upload opens its own connection; reusing one that sat idle past the
        # server's keep-alive timeout races with the server closing it (seen as
        # "Server disconnected without sending a response" with 50 devices).
        self.http.close()
        self.http = self._connection()

    def _patient_info(self, finalizing: bool) -> str:
        idnums = {r["patient_id"]: r for r in self.data.db[PATIENT_IDNUM_TABLE].values()}
        out = []
        for pid in sorted(self.data.db[PATIENT_TABLE]):
            p = self.data.db[PATIENT_TABLE][pid]
            d = {
                k: p.get(k)
                for k in ("forename", "surname", "sex", "email", "address", "gp", "other", "dob")
            }
            n = idnums.get(pid)
            if n is not None:
                d[f"idnum{n['which_idnum']}"] = int(n["idnum_value"])
            d["finalizing"] = finalizing
            out.append(d)
        return json.dumps(out, separators=(",", ":"), sort_keys=True)

    def upload(self, method: str = "copy", *, onestep: bool) -> Timing:
        """One whole upload conversation; wipes locally after a Move, as the client does."""
        self.timing = Timing()
        self._session = None
        finalizing = method != "copy"
        db = self.data.db
        try:
            self.call("check_device_registered")
            self.call("check_upload_user_and_device")
            self.call("get_id_info")
            self.call("validate_patients", patient_info=self._patient_info(finalizing))
            self.call("get_allowed_tables")
            tables = sorted(db)
            if onestep:
                pknameinfo = json.dumps(
                    {t: "id" for t in tables}, separators=(",", ":"), sort_keys=True
                )
                dbdata = json.dumps(
                    {
                        t: [
                            dict(zip(self.data.columns(t), vals, strict=True))
                            for vals in self.data.encoded_rows(t)
                        ]
                        for t in tables
                    },
                    separators=(",", ":"),
                    sort_keys=True,
                )
                self.call(
                    "upload_entire_database",
                    finalizing="1" if finalizing else "0",
                    pknameinfo=pknameinfo,
                    dbdata=dbdata,
                )
            else:
                self.call("start_upload")
                if finalizing:
                    self.call("start_preservation")
                empty = [t for t in tables if not db[t]]
                if empty:
                    self.call("upload_empty_tables", tables=",".join(empty))
                for t in tables:
                    if not db[t] or t == BLOB_TABLE:
                        continue
                    rows = self.data.encoded_rows(t)
                    extra = {f"record{i}": ",".join(v) for i, v in enumerate(rows)}
                    self.call(
                        "upload_table",
                        table=t,
                        pkname="id",
                        fields=",".join(self.data.columns(t)),
                        nrecords=str(len(rows)),
                        **extra,
                    )
                if db[BLOB_TABLE]:
                    blobs = [db[BLOB_TABLE][k] for k in sorted(db[BLOB_TABLE])]
                    pks = ",".join(str(b["id"]) for b in blobs)
                    self.call("delete_where_key_not", table=BLOB_TABLE, pkname="id", pkvalues=pks)
                    d = self.call(
                        "which_keys_to_send",
                        table=BLOB_TABLE,
                        pkname="id",
                        pkvalues=pks,
                        datevalues=",".join(b["when_last_modified"] for b in blobs),
                        move_off_tablet_values=",".join(
                            "" if b["_move_off_tablet"] is None else str(int(b["_move_off_tablet"]))
                            for b in blobs
                        ),
                    )
                    wanted = [int(x) for x in d.get("result", "").split(",") if x]
                    cols = self.data.columns(BLOB_TABLE)
                    for pk in wanted:
                        row = db[BLOB_TABLE][pk]
                        self.call(
                            "upload_record",
                            table=BLOB_TABLE,
                            pkname="id",
                            fields=",".join(cols),
                            values=",".join(encode_client_value(row[c]) for c in cols),
                        )
                self.call("end_upload")
        finally:
            self._session = None
        if method == "move":
            self.data.wipe()
        return self.timing
