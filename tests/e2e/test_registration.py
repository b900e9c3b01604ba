"""The registration conversation exactly as the real client runs it (wire.md §6.1)."""

from __future__ import annotations

import httpx

from tests.conftest import SITE_FINALIZE_POLICY, SITE_UPLOAD_POLICY
from tests.support.api import post
from tests.support.server import ServerProcess

DEVICE = "{3f2a9c1e-5b7d-4e2a-9c1e-5b7d4e2a9c1e}"


def base(site: dict[str, str], operation: str, **extra: str) -> dict[str, str]:
    fields = {
        "operation": operation,
        "camcops_version": "2.4.24",
        "device": DEVICE,
        "user": site["user"],
        "password": site["password"],
    }
    fields.update(extra)
    return fields


def test_register_then_server_info(
    server: ServerProcess, http: httpx.Client, site: dict[str, str], cli
) -> None:
    cli("settings", "set", "database-title", "Test CamCOPS")
    r = post(http, server.api_url, base(site, "check_device_registered"))
    assert r.status == 200 and not r.ok and r.error == "Unregistered device"
    r = post(http, server.api_url, base(site, "register", devicefriendlyname="Ward tablet"))
    assert r.ok, r.text
    assert r.data["databaseTitle"] == "Test CamCOPS"
    assert r.data["idPolicyUpload"] == SITE_UPLOAD_POLICY  # the user's upload group's
    assert r.data["idPolicyFinalize"] == SITE_FINALIZE_POLICY
    assert r.data["serverCamcopsVersion"] == "2.4.24"
    assert r.data["idDescription1"] == "NHS number"
    assert r.data["idShortDescription1"] == "NHS#"
    assert r.data["idValidationMethod1"] == "uk_nhs_number"
    sid, token = r.data["session_id"], r.data["session_token"]
    assert len(token) == 24
    r = post(
        http, server.api_url, base(site, "get_allowed_tables", session_id=sid, session_token=token)
    )
    assert r.ok, r.text
    assert r.data["fields"] == "tablename,min_client_version"
    records = r.records()
    assert len(records) == 152
    assert "'phq9','2.0.0'" in records and "'chit','2.4.15'" in records
    r = post(
        http, server.api_url, base(site, "get_extra_strings", session_id=sid, session_token=token)
    )
    assert r.ok, r.text
    assert r.data["fields"] == "task,name,language,value"
    strings = r.records()
    assert "'phq9','a0','da_DK','Slet ikke'" in strings
    assert (
        "'phq9','instructions','','Choose one answer per question.\\nAnswer every question.'"
        in strings
    )
    r = post(http, server.api_url, base(site, "get_id_info", session_id=sid, session_token=token))
    assert r.ok, r.text
    assert r.data["idDescription1"] == "NHS number"
    r = post(http, server.api_url, base(site, "check_device_registered"))
    assert r.ok and r.data["result"] == "check_device_registered"


def test_reply_is_byte_exact(
    server: ServerProcess, http: httpx.Client, site: dict[str, str]
) -> None:
    r = post(http, server.api_url, base(site, "register"))
    lines = r.text.split("\n")
    assert lines[-1] == ""  # every line ends in LF
    keys = [line.split(":", 1)[0] for line in lines[:-1]]
    assert keys[:4] == [
        "databaseTitle",
        "idPolicyUpload",
        "idPolicyFinalize",
        "serverCamcopsVersion",
    ]
    assert keys[-3:] == ["success", "session_id", "session_token"]
    raw = http.post(
        server.api_url, content=b"operation=check_device_registered&camcops_version=2.4.24&device=x"
    )
    assert raw.headers["content-type"] == "text/plain; charset=utf-8"
    assert raw.text.startswith("success:0\nerror:Unregistered device\nsession_id:")
