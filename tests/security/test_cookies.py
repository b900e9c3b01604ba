"""A login form refused over plain HTTP says why, and names the setting."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest

from tests.support.server import ServerProcess

pytestmark = [pytest.mark.e2e, pytest.mark.sqlite_only]
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_secure_cookie_over_plain_http_is_explained(
    secure_server: Callable[..., ServerProcess],
) -> None:
    s = secure_server()  # production cookies: Secure
    with httpx.Client(base_url=s.base_url, timeout=30) as client:
        page = client.get("/login")
        assert "secure" in page.headers.get("set-cookie", "").lower()
        token = CSRF_RE.search(page.text)
        assert token
        r = client.post(
            "/login", data={"username": "x", "password": "y", "csrf_token": token.group(1)}
        )
    assert r.status_code == 403
    assert "allow_insecure_cookies" in r.text and "HTTPS" in r.text
    assert "did not come from this site" not in r.text
