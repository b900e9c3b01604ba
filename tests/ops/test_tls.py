"""HTTPS served directly, the development certificate, and start-up errors."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.tablet import Tablet, nhs_number

from .conftest import ServerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.sqlite_only]


def dev_cert(cli: Any, folder: Path) -> tuple[Path, Path]:
    out = cli("dev-cert", "--out", str(folder), "--hostname", "127.0.0.1")
    assert "WARNING" in out and "trust" in out
    return folder / "cert.pem", folder / "key.pem"


def test_tablet_uploads_over_https(
    cli: Any, tmp_path: Path, ops_server: ServerFactory, site: dict[str, str]
) -> None:
    cert, key = dev_cert(cli, tmp_path / "tls")
    s = ops_server(ca_file=cert, COPSE_SSL_CERTFILE=str(cert), COPSE_SSL_KEYFILE=str(key))
    assert s.api_url.startswith("https://")
    with httpx.Client(verify=s.verify) as http:
        assert http.get(f"{s.base_url}/health/live").status_code == 200
    with pytest.raises(httpx.ConnectError):  # not trusted without the CA
        httpx.get(f"{s.base_url}/health/live")
    with pytest.raises(httpx.HTTPError):  # no plain HTTP on the TLS port
        httpx.get(f"http://127.0.0.1:{s.port}/health/live")
    tab = Tablet(
        s.api_url,
        site["user"],
        site["password"],
        http=httpx.Client(verify=s.verify, timeout=60),
        tables=("patient", "patient_idnum", "phq9"),
    )
    try:
        tab.register()
        pid = tab.add_patient(nhs=nhs_number(3))
        tab.create("phq9", patient_id=pid, q1=2)
        out = tab.upload("copy", onestep=True)
        assert out.ok, out.error
    finally:
        tab.http.close()


def test_dev_cert_refuses_to_overwrite(cli: Any, tmp_path: Path) -> None:
    dev_cert(cli, tmp_path)
    out = cli("dev-cert", "--out", str(tmp_path), ok=False)
    assert "already exists" in out


def test_mismatched_key_is_refused_at_start(cli: Any, tmp_path: Path) -> None:
    cert_a, _ = dev_cert(cli, tmp_path / "a")
    _, key_b = dev_cert(cli, tmp_path / "b")
    out = cli("serve", "--certfile", str(cert_a), "--keyfile", str(key_b), ok=False)
    assert "does not belong to certificate" in out and "Traceback" not in out


def test_unreadable_or_half_tls_settings_are_refused(cli: Any, tmp_path: Path) -> None:
    cert, key = dev_cert(cli, tmp_path)
    out = cli("serve", "--certfile", str(tmp_path / "missing.pem"), "--keyfile", str(key), ok=False)
    assert "does not exist" in out
    out = cli("serve", "--certfile", str(cert), ok=False)
    assert "needs both" in out
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    out = cli("serve", "--certfile", str(garbage), "--keyfile", str(key), ok=False)
    assert "cannot be used" in out and "Traceback" not in out


def test_port_in_use_is_one_clear_line(cli: Any) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        out = cli("serve", "--port", str(port), ok=False)
    assert f"Port {port} on 127.0.0.1 is already in use" in out


def test_bad_proxy_and_log_settings_are_refused(cli: Any) -> None:
    out = cli("serve", ok=False, env={"COPSE_TRUSTED_PROXIES": "10.0.0.1, not-an-ip"})
    assert "trusted_proxies: 'not-an-ip' is not an IP address or network" in out
    out = cli("serve", ok=False, env={"COPSE_LOG_FORMAT": "xml"})
    assert "log_format" in out
