"""Start-up checks of the operational settings, and a certificate for trying TLS.

Configuration errors must stop ``copse serve`` before it binds a port, with
one line saying what is wrong: a certificate that does not match its key or
cannot be read, a malformed proxy address, metrics switched on with no
protection. :func:`check_settings` finds them all.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from pathlib import Path

from copse.config import Settings
from copse.logs import LOG_FORMATS

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class SettingsProblem(ValueError):
    """A setting that makes the server unsafe or unable to start."""


def parse_networks(text: str, setting: str) -> list[Network]:
    """Comma-separated IPs or CIDR networks; a clear error naming the setting."""
    out: list[Network] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            out.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise SettingsProblem(f"{setting}: {part!r} is not an IP address or network") from None
    return out


def address_in(address: str | None, networks: list[Network]) -> bool:
    """Whether an address (as the server saw it) lies in any of the networks."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def check_tls(certfile: Path | None, keyfile: Path | None) -> None:
    """Both or neither; readable; the key belongs to the certificate."""
    if certfile is None and keyfile is None:
        return
    if certfile is None or keyfile is None:
        raise SettingsProblem("TLS needs both a certificate (--certfile) and its key (--keyfile)")
    for label, path in (("certificate", certfile), ("key", keyfile)):
        if not Path(path).is_file():
            raise SettingsProblem(f"TLS {label} file {path} does not exist or is not a file")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(str(certfile), str(keyfile))
    except ssl.SSLError as exc:
        reason = exc.reason or str(exc)
        if "KEY_VALUES_MISMATCH" in str(exc) or "key values mismatch" in str(exc):
            raise SettingsProblem(
                f"TLS key {keyfile} does not belong to certificate {certfile}"
            ) from None
        raise SettingsProblem(
            f"TLS certificate {certfile} or key {keyfile} cannot be used: {reason}"
        ) from None
    except OSError as exc:
        raise SettingsProblem(f"TLS files cannot be read: {exc.strerror or exc}") from None


def check_settings(settings: Settings) -> None:
    """Raise :class:`SettingsProblem` for the first operational setting that is wrong."""
    check_tls(settings.ssl_certfile, settings.ssl_keyfile)
    parse_networks(settings.trusted_proxies, "trusted_proxies")
    parse_networks(settings.metrics_allow, "metrics_allow")
    if settings.log_format not in LOG_FORMATS:
        raise SettingsProblem(
            f"log_format: {settings.log_format!r} is not one of {', '.join(LOG_FORMATS)}"
        )
    if settings.metrics_enabled and not (settings.metrics_token or settings.metrics_allow):
        raise SettingsProblem(
            "metrics_enabled needs metrics_token or metrics_allow: /metrics is never open to all"
        )
    if settings.slow_request_ms < 0 or settings.health_timeout_seconds <= 0:
        raise SettingsProblem("slow_request_ms and health_timeout_seconds must be positive")


def make_self_signed(certfile: Path, keyfile: Path, hostnames: list[str], days: int = 365) -> None:
    """Write a self-signed certificate and its key (PEM) for the given host names/IPs."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in hostnames:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostnames[0])])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    keyfile.chmod(0o600)
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
