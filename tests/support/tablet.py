"""A CamCOPS tablet simulator for black-box upload tests.

Why it exists: the upload engine has to work with the *real* client, whose
behaviour is fixed (wire.md §6).  This simulator keeps an in-memory client
database (table name -> client PK -> row dict with the client's own column
names, from ``copse.schema.registry.TABLES``) and talks to a real server over
HTTP exactly as the client does:

* values are encoded with the client's ``toSqlLiteral`` rules
  (``copse.wire.values.encode_client_value``; wire.md §4.4): timestamps are
  TEXT ``yyyy-MM-ddTHH:mm:ss.zzz+HH:MM``, booleans bare ``0``/``1``, BLOBs
  ``64'..'``;
* the request fields are sent in ascending key order, Qt-percent-encoded
  (``tests.support.api.qt_form_encode``);
* the session id/token are taken from every well-formed reply and sent back
  on the next request of the same conversation; both are dropped at the start
  and end of each conversation (wire.md §1.3, §1.4, §2.2);
* registration (§6.1) and upload (§6.3) run the client's call sequences,
  including its local preparation (pruning dead BLOBs; for Copy, the
  re-propagation of ``_move_off_tablet`` from patients/anonymous tasks/source
  records) and its local wipe rules after success;
* any failure stops the conversation and wipes nothing locally.

The one deliberate deviation: until the ``validate_patients`` operation
exists on the server, its reply ``operation=validate_patients: not supported``
is tolerated (exactly that error, nothing else), so uploads can be tested
before that issue lands.  ``Tablet.validate_patients_skipped`` counts how
often that happened.

Hooks for fault tests: ``before_request`` callables see (operation, fields)
and may mutate the fields or raise :class:`Abandon`; ``after_reply`` callables
see (operation, fields, reply).  ``upload(..., abandon_after=op)`` stops a
conversation right after the first successful request of that operation, as
a tablet that loses its network (or is switched off) half-way would.
"""

from __future__ import annotations

import copy
import datetime
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from copse.schema.registry import (
    BLOB_TABLE,
    PATIENT_IDNUM_TABLE,
    PATIENT_TABLE,
    TABLES,
)
from copse.wire.values import decode_client_csv, encode_client_csv, encode_client_value
from tests.support.api import Reply, post
from tests.support.server import DEFAULT_TLS

CLIENT_VERSION = "2.4.24"
#: The client refuses servers older than this (wire.md §6.3 step 3).
MINIMUM_SERVER_VERSION = (2, 4, 0)
VALIDATE_PATIENTS_UNSUPPORTED = "operation=validate_patients: not supported"

Method = Literal["copy", "move", "move_keeping_patients"]
METHODS: tuple[Method, ...] = ("copy", "move", "move_keeping_patients")
Row = dict[str, Any]


class UploadFailed(Exception):
    """The client would show an error and stop; nothing is wiped locally."""


class Abandon(Exception):
    """Raised by a hook (or ``abandon_after``) to stop a conversation silently."""


def nhs_number(seed: int) -> int:
    """A valid 10-digit NHS number derived from ``seed`` (mod-11 check digit)."""
    n = 100_000_000 + (seed * 7919) % 800_000_000
    while True:
        digits = [int(d) for d in str(n)[:9]]
        total = sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            return n * 10 + check
        n += 1


@dataclass
class Request:
    """One request of a conversation, kept for assertions."""

    operation: str
    fields: dict[str, str]
    reply: Reply | None = None


@dataclass
class UploadOutcome:
    ok: bool
    method: Method
    onestep: bool
    error: str | None = None
    abandoned: bool = False
    requests: list[Request] = field(default_factory=list)

    @property
    def operations(self) -> list[str]:
        return [r.operation for r in self.requests]


class Clock:
    """The tablet's local clock: strictly increasing, millisecond resolution.

    Every call gives a new instant, so every edit changes
    ``when_last_modified`` (the only thing the server compares).  The offset
    is configurable so instant comparison across offsets gets exercised.
    """

    def __init__(
        self, start: datetime.datetime | None = None, offset_minutes: int = 60, step_ms: int = 1013
    ) -> None:
        tz = datetime.timezone(datetime.timedelta(minutes=offset_minutes))
        self.t = (start or datetime.datetime(2024, 3, 1, 9, 0, 0)).replace(tzinfo=tz)
        self.step = datetime.timedelta(milliseconds=step_ms)

    def now(self) -> str:
        self.t += self.step
        return self.t.isoformat(timespec="milliseconds")


class Tablet:
    """An in-memory CamCOPS client plus its network conversations."""

    def __init__(
        self,
        api_url: str,
        user: str,
        password: str,
        *,
        device: str | None = None,
        http: httpx.Client | None = None,
        version: str = CLIENT_VERSION,
        tables: Iterable[str] | None = None,
        clock: Clock | None = None,
        new_record_move_off: int | None = None,
    ) -> None:
        self.api_url = api_url
        self.user = user
        self.password = password
        self.device = device or "{" + str(uuid.uuid4()) + "}"
        self.http = http or httpx.Client(timeout=120.0, verify=DEFAULT_TLS)
        self.version = version
        self.clock = clock or Clock()
        #: The real client leaves a new record's flag NULL (wire.md §8 item 23).
        self.new_record_move_off = new_record_move_off
        #: Every table in the client's data database, including empty ones.
        self.db: dict[str, dict[int, Row]] = {t: {} for t in sorted(tables or TABLES)}
        # Stored server info (from registration), compared at upload time.
        self.server_info: dict[str, str] = {}
        self.allowed_tables: dict[str, str] = {}
        self.extra_strings_count = 0
        self.before_request: list[Callable[[str, dict[str, str]], None]] = []
        self.after_reply: list[Callable[[str, dict[str, str], Reply], None]] = []
        self.validate_patients_skipped = 0
        self._session: tuple[str, str] | None = None
        self._log: list[Request] | None = None

    # ------------------------------------------------------------------
    # Local database
    # ------------------------------------------------------------------

    def _new_row(self, table: str, values: dict[str, Any]) -> Row:
        info = TABLES[table]
        unknown = set(values) - info.column_names
        if unknown:
            raise KeyError(f"{table} has no column(s) {sorted(unknown)}")
        row: Row = {c.name: None for c in info.columns}
        rows = self.db[table]
        # SQLite INTEGER PRIMARY KEY without AUTOINCREMENT: max + 1, so PKs
        # are reused after a wipe (eras must keep such records apart).
        row["id"] = max(rows, default=0) + 1
        now = self.clock.now()
        if "when_created" in info.column_names:
            row["when_created"] = now
        row["when_last_modified"] = now
        row["_move_off_tablet"] = self.new_record_move_off
        row.update(values)
        rows[row["id"]] = row
        return row

    def create(self, table: str, **values: Any) -> int:
        """Create a record (task, ancillary row, patient...) and return its client PK."""
        return int(self._new_row(table, values)["id"])

    def edit(self, table: str, pk: int, **values: Any) -> None:
        """Change fields of a record; like the client, this touches ``when_last_modified``."""
        row = self.db[table][pk]
        unknown = set(values) - TABLES[table].column_names
        if unknown:
            raise KeyError(f"{table} has no column(s) {sorted(unknown)}")
        row.update(values)
        row["when_last_modified"] = self.clock.now()

    def touch(self, table: str, pk: int) -> None:
        self.edit(table, pk)

    def delete(self, table: str, pk: int) -> None:
        """Delete a record with what the client deletes along with it.

        A patient takes its ID numbers and tasks; a task takes its ancillary
        rows.  BLOBs whose source is gone are pruned at upload time, as the
        client does.
        """
        self.db[table].pop(pk, None)
        info = TABLES[table]
        if table == PATIENT_TABLE:
            for t, rows in self.db.items():
                if t == PATIENT_IDNUM_TABLE or TABLES[t].has_patient:
                    for k in [k for k, r in rows.items() if r.get("patient_id") == pk]:
                        self.delete(t, k)
        for anc in info.ancillary_tables:
            fk = TABLES[anc].fk_to_parent
            for k in [k for k, r in self.db.get(anc, {}).items() if r.get(fk) == pk]:
                self.delete(anc, k)

    def set_move_off(self, table: str, pk: int, flag: bool = True) -> None:
        """The chequered flag: finalize this record specifically.

        Setting the flag does not touch ``when_last_modified`` (the server
        detects flag-only changes through ``_move_off_tablet`` itself).
        """
        self.db[table][pk]["_move_off_tablet"] = 1 if flag else 0

    def add_patient(
        self,
        *,
        nhs: int | None = None,
        forename: str = "JO",
        surname: str = "BLOGGS",
        dob: str = "1980-02-29",
        sex: str = "F",
        **more: Any,
    ) -> int:
        """A patient that satisfies typical ID policies, with an NHS number (idnum 1)."""
        pid = self.create(
            PATIENT_TABLE, forename=forename, surname=surname, dob=dob, sex=sex, **more
        )
        if nhs is not None:
            self.create(PATIENT_IDNUM_TABLE, patient_id=pid, which_idnum=1, idnum_value=nhs)
        return pid

    def add_blob(
        self, src_table: str, src_pk: int, fieldname: str, data: bytes, mimetype: str = "image/jpeg"
    ) -> int:
        """Attach a BLOB to a source record (sets the source's BLOB-id column)."""
        bid = self.create(
            BLOB_TABLE,
            tablename=src_table,
            tablepk=src_pk,
            fieldname=fieldname,
            filename=f"{fieldname}.jpg",
            mimetype=mimetype,
            theblob=data,
            image_rotation_deg_cw=0,
        )
        self.edit(src_table, src_pk, **{fieldname: bid})
        return bid

    def replace_blob(self, blob_pk: int, data: bytes) -> None:
        """Replace a photo: the BLOB row and its source row are both modified."""
        b = self.db[BLOB_TABLE][blob_pk]
        self.edit(BLOB_TABLE, blob_pk, theblob=data)
        self.touch(b["tablename"], b["tablepk"])

    def rows(self, table: str) -> list[Row]:
        return [self.db[table][k] for k in sorted(self.db[table])]

    def snapshot(self) -> dict[str, dict[int, Row]]:
        return copy.deepcopy({t: r for t, r in self.db.items() if r})

    def clone(self, *, device: str | None = None) -> Tablet:
        """Another tablet object with a copy of this one's data and server info."""
        t = Tablet(
            self.api_url,
            self.user,
            self.password,
            device=device or self.device,
            version=self.version,
            tables=list(self.db),
            clock=copy.deepcopy(self.clock),
            new_record_move_off=self.new_record_move_off,
        )
        t.db = copy.deepcopy(self.db)
        t.server_info = dict(self.server_info)
        t.allowed_tables = dict(self.allowed_tables)
        return t

    # ------------------------------------------------------------------
    # Transport
    # ------------------------------------------------------------------

    def _begin(self) -> list[Request]:
        self._session = None
        self._log = []
        return self._log

    def _end(self) -> None:
        self._session = None

    def call(self, operation: str, **extra: str) -> Reply:
        """One request; raises UploadFailed unless the reply has success:1."""
        fields = {
            "operation": operation,
            "camcops_version": self.version,
            "device": self.device,
            "user": self.user,
            "password": self.password,
        }
        if self._session is not None:
            fields["session_id"], fields["session_token"] = self._session
        fields.update(extra)
        for hook in self.before_request:
            hook(operation, fields)
        rec = Request(operation, fields)
        if self._log is not None:
            self._log.append(rec)
        reply = post(self.http, self.api_url, fields)
        rec.reply = reply
        for ahook in self.after_reply:
            ahook(operation, fields, reply)
        if reply.status >= 400:
            raise UploadFailed(f"Network failure: HTTP {reply.status} on {operation}")
        d = reply.data
        if not all(k in d for k in ("success", "session_id", "session_token")):
            raise UploadFailed(
                "Reply is not from CamCOPS API. Are your server settings misconfigured?"
            )
        self._session = (d["session_id"], d["session_token"])
        if not _to_int(d["success"]):
            raise UploadFailed(f"Server reported an error: {d.get('error', '')} [{operation}]")
        return reply

    # ------------------------------------------------------------------
    # Registration (wire.md §6.1)
    # ------------------------------------------------------------------

    def register(self, friendly_name: str = "Test tablet") -> None:
        self._begin()
        try:
            r = self.call("register", devicefriendlyname=friendly_name)
            self._store_id_info(r.data)
            r = self.call("get_allowed_tables")
            self._store_allowed_tables(r)
            r = self.call("get_extra_strings")
            self.extra_strings_count = max(0, int(r.data.get("nrecords", "0") or 0))
        finally:
            self._end()

    def _store_id_info(self, d: dict[str, str]) -> None:
        keep = ("databaseTitle", "serverCamcopsVersion", "idPolicyUpload", "idPolicyFinalize")
        self.server_info = {k: d.get(k, "") for k in keep}
        for k, v in d.items():
            for prefix in ("idDescription", "idShortDescription", "idValidationMethod"):
                if k.startswith(prefix) and k[len(prefix) :].isdigit():
                    self.server_info[k] = v

    def _store_allowed_tables(self, r: Reply) -> None:
        self.allowed_tables = {}
        for rec in r.records():
            name, version = decode_client_csv(rec)
            self.allowed_tables[str(name)] = str(version)

    # ------------------------------------------------------------------
    # Upload (wire.md §6.3)
    # ------------------------------------------------------------------

    def _prepare(self, method: Method) -> None:
        """Local preparation before the network conversation."""
        # pruneDeadBlobs
        blobs = self.db.get(BLOB_TABLE, {})
        for k in [
            k
            for k, b in blobs.items()
            if b.get("tablepk") not in self.db.get(str(b.get("tablename")), {})
        ]:
            del blobs[k]
        if method == "copy":
            self._propagate_move_off_flags()

    def _propagate_move_off_flags(self) -> None:
        """applyPatientMoveOffTabletFlagsToTasks (Copy only): clear, then re-propagate.

        Derived flags (ID numbers, patient tasks, ancillary rows, BLOBs) are
        recomputed from the rows a user can flag: patients and anonymous tasks.
        """
        flagged_patients = {
            k for k, r in self.db.get(PATIENT_TABLE, {}).items() if r["_move_off_tablet"]
        }
        for t, rows in self.db.items():
            info = TABLES[t]
            for r in rows.values():
                if t == PATIENT_IDNUM_TABLE or (info.is_task and info.has_patient):
                    r["_move_off_tablet"] = 1 if r.get("patient_id") in flagged_patients else 0
                elif info.kind == "ancillary" or t == BLOB_TABLE:
                    r["_move_off_tablet"] = 0
        for t, rows in self.db.items():
            info = TABLES[t]
            if not info.is_task:
                continue
            for r in rows.values():
                if not r["_move_off_tablet"]:
                    continue
                for anc in info.ancillary_tables:
                    fk = TABLES[anc].fk_to_parent
                    for a in self.db.get(anc, {}).values():
                        if a.get(fk) == r["id"]:
                            a["_move_off_tablet"] = 1
        for b in self.db.get(BLOB_TABLE, {}).values():
            src = self.db.get(str(b.get("tablename")), {}).get(b.get("tablepk"))
            if src is not None and src["_move_off_tablet"]:
                b["_move_off_tablet"] = 1

    def patient_info_json(self, method: Method) -> str:
        """The ``validate_patients`` payload (wire.md §5.1a)."""
        out = []
        idnums = self.db.get(PATIENT_IDNUM_TABLE, {}).values()
        for p in self.rows(PATIENT_TABLE):
            d: dict[str, Any] = {
                k: p.get(k)
                for k in ("forename", "surname", "sex", "email", "address", "gp", "other", "dob")
            }
            for n in idnums:
                if n["patient_id"] == p["id"] and n["idnum_value"] is not None:
                    d[f"idnum{n['which_idnum']}"] = int(n["idnum_value"])
            d["finalizing"] = method != "copy" or bool(p["_move_off_tablet"])
            out.append(d)
        return json.dumps(out, separators=(",", ":"), sort_keys=True)

    def _check_id_info(self, d: dict[str, str]) -> None:
        v = d.get("serverCamcopsVersion", "")
        parts = v.split(".")
        if (
            len(parts) != 3
            or not all(p.isdigit() for p in parts)
            or any(int(p) >= 100 for p in parts[1:])
        ):
            raise UploadFailed(f"Bad server version {v!r}")
        if tuple(int(p) for p in parts) < MINIMUM_SERVER_VERSION:
            raise UploadFailed(f"Server version {v} too old")
        if v != self.server_info.get("serverCamcopsVersion"):
            raise UploadFailed("Server version changed. Please re-fetch server information")
        for k in ("idPolicyUpload", "idPolicyFinalize"):
            if (
                " ".join(d.get(k, "").split()).lower()
                != " ".join(self.server_info.get(k, "").split()).lower()
            ):
                raise UploadFailed(f"{k} changed. Please re-fetch server information")
        for k, v2 in self.server_info.items():
            if k.startswith(("idDescription", "idShortDescription")) and d.get(k) != v2:
                raise UploadFailed(f"{k} changed. Please re-fetch server information")
            if k.startswith("idValidationMethod") and k in d and d[k] != v2:
                raise UploadFailed(f"{k} changed. Please re-fetch server information")
        for n in self.db.get(PATIENT_IDNUM_TABLE, {}).values():
            if f"idDescription{n['which_idnum']}" not in d:
                raise UploadFailed(f"ID number type {n['which_idnum']} unknown to server")

    def _table_allowed(self, table: str) -> bool:
        v = self.allowed_tables.get(table)
        if v is None:
            return False
        return _version_tuple(v) <= _version_tuple(self.version)

    def columns(self, table: str) -> list[str]:
        """Columns in ``PRAGMA table_info`` order (the registry's order)."""
        return [c.name for c in TABLES[table].columns]

    def encode_row(self, table: str, row: Row) -> str:
        return encode_client_csv(row[c] for c in self.columns(table))

    def dbdata_json(self) -> tuple[str, str]:
        """``pknameinfo`` and ``dbdata`` for every table the tablet has (wire.md §5.2)."""
        pknameinfo = {t: "id" for t in self.db}
        dbdata = {
            t: [{c: encode_client_value(r[c]) for c in self.columns(t)} for r in self.rows(t)]
            for t in self.db
        }
        return (
            json.dumps(pknameinfo, separators=(",", ":"), sort_keys=True),
            json.dumps(dbdata, separators=(",", ":"), sort_keys=True),
        )

    def upload(
        self,
        method: Method = "copy",
        *,
        onestep: bool = False,
        abandon_after: str | None = None,
        raise_on_failure: bool = False,
    ) -> UploadOutcome:
        """Run the whole upload conversation; wipe locally on success.

        ``abandon_after``: stop (as if the network vanished) right after the
        first successful request with this operation name, or with
        ``"operation:table"`` (e.g. ``"upload_table:progressnote"``).
        """
        log = self._begin()
        outcome = UploadOutcome(False, method, onestep, requests=log)

        def after(op: str, f: dict[str, str], reply: Reply) -> None:
            if abandon_after in (op, f"{op}:{f.get('table', '')}") and reply.ok:
                raise Abandon(op)

        self.after_reply.append(after)
        try:
            self._prepare(method)
            self._conversation(method, onestep)
        except Abandon:
            outcome.abandoned = True
            return outcome
        except UploadFailed as exc:
            outcome.error = str(exc)
            if raise_on_failure:
                raise
            return outcome
        finally:
            self.after_reply.remove(after)
            self._end()
        self._wipe_after_success(method)
        outcome.ok = True
        return outcome

    def _conversation(self, method: Method, onestep: bool) -> None:
        self.call("check_device_registered")
        self.call("check_upload_user_and_device")
        r = self.call("get_id_info")
        self._check_id_info(r.data)
        try:
            self.call("validate_patients", patient_info=self.patient_info_json(method))
        except UploadFailed as exc:
            if VALIDATE_PATIENTS_UNSUPPORTED not in str(exc):
                raise
            self.validate_patients_skipped += 1
        r = self.call("get_allowed_tables")
        self._store_allowed_tables(r)
        empty: list[str] = []
        whole: list[str] = []
        recordwise: list[str] = []
        for t in sorted(self.db):
            n = len(self.db[t])
            if not self._table_allowed(t):
                if n:
                    raise UploadFailed(f"Server won't accept table {t}")
                continue
            if n == 0:
                empty.append(t)
            elif t == BLOB_TABLE:
                recordwise.append(t)
            else:
                whole.append(t)
        finalizing = method != "copy"
        if onestep:
            pknameinfo, dbdata = self.dbdata_json()
            self.call(
                "upload_entire_database",
                finalizing="1" if finalizing else "0",
                pknameinfo=pknameinfo,
                dbdata=dbdata,
            )
            return
        self.call("start_upload")
        if finalizing:
            self.call("start_preservation")
        if empty:
            self.call("upload_empty_tables", tables=",".join(empty))
        for t in whole:
            rows = self.rows(t)
            extra = {f"record{i}": self.encode_row(t, r) for i, r in enumerate(rows)}
            self.call(
                "upload_table",
                table=t,
                pkname="id",
                fields=",".join(self.columns(t)),
                nrecords=str(len(rows)),
                **extra,
            )
        for t in recordwise:
            rows = self.rows(t)
            pks = ",".join(str(r["id"]) for r in rows)
            self.call("delete_where_key_not", table=t, pkname="id", pkvalues=pks)
            r = self.call(
                "which_keys_to_send",
                table=t,
                pkname="id",
                pkvalues=pks,
                datevalues=",".join(r["when_last_modified"] or "" for r in rows),
                move_off_tablet_values=",".join(
                    "" if r["_move_off_tablet"] is None else str(int(r["_move_off_tablet"]))
                    for r in rows
                ),
            )
            if "result" not in r.data:
                raise UploadFailed("Server's reply was missing the key: result")
            wanted = [_to_int(x) for x in r.data["result"].split(",")] if r.data["result"] else []
            for pk in wanted:
                row = self.db[t].get(pk)
                if row is None:
                    raise UploadFailed(f"Server asked for unknown {t} PK {pk}")
                self.call(
                    "upload_record",
                    table=t,
                    pkname="id",
                    fields=",".join(self.columns(t)),
                    values=self.encode_row(t, row),
                )
        self.call("end_upload")

    def _wipe_after_success(self, method: Method) -> None:
        """wire.md §6.3 step 9."""
        keep = {PATIENT_TABLE, PATIENT_IDNUM_TABLE} if method == "move_keeping_patients" else set()
        for t, rows in self.db.items():
            if method == "copy" or t in keep:
                if method != "move":
                    for k in [k for k, r in rows.items() if r["_move_off_tablet"] == 1]:
                        del rows[k]
            else:
                rows.clear()


def _to_int(s: str) -> int:
    """Qt ``toInt()``: 0 on failure."""
    try:
        return int(s.strip())
    except ValueError:
        return 0


def _version_tuple(v: str) -> tuple[int, ...]:
    return tuple(int(p) for p in v.split("-")[0].split("."))
