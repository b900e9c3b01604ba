"""The OpenAPI document: valid OpenAPI 3.1, and exactly the routes the server serves."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation import OpenAPIV31SpecValidator
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from copse.readapi.endpoint import PREFIX
from tests.web.conftest import World

pytestmark = pytest.mark.sqlite_only  # the document does not depend on the database


def _served(app: object) -> set[tuple[str, str]]:
    """(method, path) of every read API route mounted in the app."""
    out: set[tuple[str, str]] = set()
    for r in app.router.routes:  # type: ignore[attr-defined]
        if isinstance(r, Mount) and r.path == PREFIX:
            for sub in r.routes:
                assert isinstance(sub, Route)
                for m in sub.methods or ():
                    if m != "HEAD":
                        out.add((m.lower(), PREFIX + sub.path))
    return out


def test_document_is_valid_openapi_3_1(app_client: TestClient) -> None:
    r = app_client.get("/openapi.json")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    doc = r.json()
    assert doc["openapi"].startswith("3.1")
    validate(doc, cls=OpenAPIV31SpecValidator)


def test_document_and_routes_agree_both_ways(app_client: TestClient) -> None:
    doc = app_client.get("/openapi.json").json()
    documented = {(m, path) for path, ops in doc["paths"].items() for m in ops}
    served = _served(app_client.app)
    assert served, "no read API routes found"
    assert documented - served == set(), "documented but not served"
    assert served - documented == set(), "served but not documented"
    # Every documented path parameter is declared.
    for path, ops in doc["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        for op in ops.values():
            declared = {p["name"] for p in op["parameters"] if p["in"] == "path"}
            assert declared == names, path
    # And nothing of the tablets' API is in it.
    assert not any(p.startswith(("/api", "/database")) for p in doc["paths"])


def test_docs_page_lists_every_operation(app_client: TestClient) -> None:
    doc = app_client.get("/openapi.json").json()
    page = app_client.get("/read/docs")
    assert page.status_code == 200 and "<script" not in page.text
    for path, ops in doc["paths"].items():
        for m, op in ops.items():
            assert f"{m.upper()} {path}" in page.text
            assert f"id='{op['operationId']}'" in page.text


def test_api_tokens_web_page(world: World) -> None:
    from tests.web.conftest import csrf_of

    c = world.logged_in("alice")
    page = c.get("/api-tokens")
    assert page.status_code == 200 and "No tokens yet" in page.text
    csrf = csrf_of(page.text)
    made = c.post(
        "/api-tokens",
        data={"csrf_token": csrf, "action": "create", "name": "R <b>", "expires_days": "7"},
    )
    assert made.status_code == 200
    secret = re.search(r'id="new-token">([^<]+)<', made.text)
    assert secret and secret.group(1).startswith("copse_")
    assert "R &lt;b&gt;" in made.text
    again = c.get("/api-tokens")
    assert secret.group(1) not in again.text and "active" in again.text
    # The token works, then is revoked from the page.
    api = world.client()
    auth = {"Authorization": f"Bearer {secret.group(1)}"}
    assert api.get("/read/v1/tasks", headers=auth).status_code == 200
    token_id = re.search(r'name="token_id" value="(\d+)"', again.text)
    assert token_id
    bob = world.logged_in("bob")
    refused = bob.post(
        "/api-tokens",
        data={
            "csrf_token": csrf_of(bob.get("/api-tokens").text),
            "action": "revoke",
            "token_id": token_id.group(1),
        },
    )
    assert refused.status_code == 400 and "No such API token" in refused.text
    assert api.get("/read/v1/tasks", headers=auth).status_code == 200
    r = c.post(
        "/api-tokens",
        data={"csrf_token": csrf, "action": "revoke", "token_id": token_id.group(1)},
    )
    assert r.status_code == 303
    assert api.get("/read/v1/tasks", headers=auth).status_code == 401
    bad = c.post(
        "/api-tokens",
        data={"csrf_token": csrf, "action": "create", "name": "x", "expires_days": "soon"},
    )
    assert bad.status_code == 400 and "expires" in bad.text
