"""A minimal client-API caller for tests: form-encode like Qt, parse like the tablet."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

import httpx

from copse.wire.reply import parse_reply


def qt_form_encode(fields: dict[str, str]) -> bytes:
    """Keys in ascending order, everything but A-Z a-z 0-9 - . _ ~ percent-encoded."""
    return "&".join(
        f"{quote(k, safe='-._~')}={quote(v, safe='-._~')}" for k, v in sorted(fields.items())
    ).encode("ascii")


@dataclass
class Reply:
    status: int
    text: str
    data: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.data.get("success") == "1"

    @property
    def error(self) -> str | None:
        return self.data.get("error")

    def records(self) -> list[str]:
        n = int(self.data.get("nrecords", "0"))
        return [self.data[f"record{i}"] for i in range(n)]


def post(client: httpx.Client, url: str, fields: dict[str, str]) -> Reply:
    r = client.post(
        url,
        content=qt_form_encode(fields),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    return Reply(r.status_code, r.text, parse_reply(r.text) if r.status_code == 200 else {})
