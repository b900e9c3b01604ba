"""In-process client-API caller and small builders shared by the reliability tests."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from copse.api.endpoint import ApiResponse, ClientApi
from copse.config import Settings
from copse.schema.registry import TABLES
from copse.wire.reply import parse_reply
from copse.wire.values import encode_client_csv, encode_client_value
from tests.support.api import qt_form_encode

DEVICE = "{11111111-2222-3333-4444-555555555555}"
VERSION = "2.4.24"
WHEN = "2024-03-01T10:00:00.000+01:00"
REQUIRED_KEYS = ("success", "session_id", "session_token")


@dataclass
class Result:
    status: int
    body: str
    data: dict[str, str]

    @property
    def ok(self) -> bool:
        return self.data.get("success") == "1"

    @property
    def error(self) -> str:
        return self.data.get("error", "")


def parse(resp: ApiResponse) -> Result:
    data = parse_reply(resp.body) if resp.body.endswith("\n") else {}
    return Result(resp.status, resp.body, data)


class InProc:
    """``ClientApi.handle`` with the tablet's usual fields filled in."""

    def __init__(
        self,
        engine: sa.Engine,
        settings: Settings | None = None,
        *,
        user: str = "alice",
        password: str = "alice-password-1",
        device: str = DEVICE,
    ) -> None:
        self.engine = engine
        self.settings = settings or Settings(bcrypt_rounds=4)
        self.api = ClientApi(engine, self.settings)
        self.user, self.password, self.device = user, password, device

    def with_settings(self, **changes: Any) -> InProc:
        return InProc(
            self.engine,
            replace(self.settings, **changes),
            user=self.user,
            password=self.password,
            device=self.device,
        )

    def base(self, operation: str) -> dict[str, str]:
        return {
            "operation": operation,
            "camcops_version": VERSION,
            "device": self.device,
            "user": self.user,
            "password": self.password,
        }

    def raw(self, body: bytes, query: str = "") -> Result:
        return parse(self.api.handle(body, query, "127.0.0.1"))

    def call(self, operation: str, **fields: Any) -> Result:
        f = self.base(operation)
        f.update({k: v if isinstance(v, str) else str(v) for k, v in fields.items()})
        return self.raw(qt_form_encode(f))

    def register(self) -> None:
        r = self.call("register", devicefriendlyname="Reliability tablet")
        assert r.ok, r.body


def columns(table: str) -> list[str]:
    return [c.name for c in TABLES[table].columns]


def satis_record(cid: int, when: str = WHEN, move_off: int = 0) -> dict[str, Any]:
    return {
        "id": cid,
        "rating": 3,
        "when_created": when,
        "when_last_modified": when,
        "_move_off_tablet": move_off,
    }


def upload_table_fields(table: str, records: list[dict[str, Any]]) -> dict[str, str]:
    cols = list(records[0]) if records else ["id", "when_last_modified", "_move_off_tablet"]
    out = {"table": table, "pkname": "id", "fields": ",".join(cols), "nrecords": str(len(records))}
    for i, r in enumerate(records):
        out[f"record{i}"] = encode_client_csv(r[c] for c in cols)
    return out


def dbdata_json(tables: dict[str, list[dict[str, Any]]]) -> tuple[str, str]:
    pk = json.dumps({t: "id" for t in tables}, separators=(",", ":"))
    data = json.dumps(
        {
            t: [{k: encode_client_value(v) for k, v in r.items()} for r in rows]
            for t, rows in tables.items()
        },
        separators=(",", ":"),
    )
    return pk, data
