"""Every security header on every kind of response, over real HTTP (issue 13, item 8).

One response of each kind is fetched from a real server process: the login
page, a redirect, HTML pages of a logged-in user, a form's answer, a static
file, JSON, a download, and error pages (404 from the router and from a view,
403, 405).  Each must carry each header below with exactly this value; the
expected values are written out here (not imported) so that weakening one
fails this test.  The tablet API (``/api``) is the exception: it keeps the
CamCOPS server's replies (tests/web/test_security.py).
"""

from __future__ import annotations

import re

import httpx
import pytest

from tests.support.server import ServerProcess
from tests.web import factories as fx
from tests.web.conftest import PASSWORD, World, csrf_of

STRICT_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
EVERY_RESPONSE = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}

pytestmark = pytest.mark.sqlite_only  # the headers do not depend on the database


def check(r: httpx.Response, kind: str, *, csp: str = STRICT_CSP, no_store: bool = True) -> None:
    for name, value in EVERY_RESPONSE.items():
        assert r.headers.get(name) == value, (kind, name, r.headers.get(name))
    assert r.headers.get("content-security-policy") == csp, (kind, r.headers)
    if no_store:
        assert r.headers.get("cache-control") == "no-store", (kind, r.headers)


def test_every_kind_of_response_has_every_header(live: ServerProcess, world: World) -> None:
    with world.db.engine.begin() as conn:
        blob = fx.make_row(
            conn,
            "blobs",
            device_id=world.device_a,
            group_id=world.group_a,
            id=1,
            tablename="photo",
            tablepk=1,
            fieldname="photo_blobid",
            mimetype="application/pdf",
            theblob=b"%PDF-1.4 fake",
        )
    base = live.base_url
    with (
        httpx.Client(base_url=base, timeout=30) as anon,
        httpx.Client(base_url=base, timeout=30) as c,
    ):
        check(anon.get("/login"), "login page")
        r = anon.get("/tasks")
        assert r.status_code == 303
        check(r, "redirect to login")
        r = anon.post("/login", data={"username": "x", "password": "y"})
        assert r.status_code == 403
        check(r, "403 error page")

        token = csrf_of(c.get("/login").text)
        r = c.post(
            "/login",
            data={"csrf_token": token, "username": "alice", "password": PASSWORD, "next": "/tasks"},
        )
        assert r.status_code == 303
        check(r, "form answer (login POST)")
        for url in ("/tasks", f"/tasks/phq9/{world.task_a}", "/mfa", "/change-password"):
            r = c.get(url)
            assert r.status_code == 200 and "<html" in r.text, url
            check(r, f"HTML page {url}")
        r = c.get("/static/copse.css")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/css")
        check(r, "static file", no_store=False)
        r = c.get("/health/live")
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
        check(r, "JSON")
        r = c.get(f"/blobs/{blob}")
        assert r.status_code == 200
        assert r.headers["content-disposition"].startswith("attachment")
        check(r, "download", csp="default-src 'none'; sandbox")
        for url in ("/no-such-page", "/tasks/phq9/999999", "/static/nothing.css"):
            r = c.get(url)
            assert r.status_code == 404, url
            check(r, f"404 {url}", no_store=not url.startswith("/static"))
        r = c.request("DELETE", "/tasks")
        assert r.status_code == 405
        check(r, "405 error page")
        assert re.search(r"<title>[^<]*</title>", c.get("/no-such-page").text)
