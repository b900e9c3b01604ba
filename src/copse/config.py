"""Settings, read once at start-up from the environment and a TOML file.

Precedence: command-line options (``copse --db-url`` etc., passed to
:func:`load_settings` as overrides) over environment variables (``COPSE_*``)
over the TOML file named by ``COPSE_CONFIG`` (or ``--config``) over the
defaults below.  Settings are a frozen dataclass passed down explicitly;
nothing reads the environment later.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

DEFAULT_DATA_DIR = Path("copse-data")


@dataclass(frozen=True)
class Settings:
    """Everything configurable.  Each field maps to ``COPSE_<FIELD>``."""

    db_url: str = ""
    data_dir: Path = DEFAULT_DATA_DIR
    host: str = "127.0.0.1"
    port: int = 8088
    workers: int = 1
    database_title: str = ""
    session_timeout_minutes: int = 30
    session_check_ip: bool = True
    extra_strings_dir: Path | None = None
    lockout_threshold: int = 10
    lockout_minutes: int = 10
    bcrypt_rounds: int = 10
    #: A tablet login with the same user and password as one that passed the
    #: bcrypt check less than this many seconds ago (in this process) skips
    #: bcrypt; 0 turns this off.  See copse.accounts.login_cache for why it is safe.
    login_cache_seconds: int = 300
    #: New passwords must be at least this long (and not the username, not common).
    password_min_length: int = 10
    #: Seconds a web login may wait between the password and the two-factor
    #: code (and a TOTP set-up between showing the key and its first code).
    mfa_timeout_seconds: int = 600
    #: Housekeeping (``copse housekeeping``, and the server every
    #: ``housekeeping_minutes``) deletes expired sessions, and login failures
    #: and lockouts older than ``login_failure_retention_days``.
    housekeeping_minutes: int = 60
    login_failure_retention_days: int = 7
    # Caps on what one request may carry; going over one is a clear ``success:0`` error
    # naming the setting (tests/reliability/test_limits.py tries each just under and over).
    max_body_bytes: int = 200 * 1024 * 1024
    max_form_fields: int = 100_000
    max_records_per_upload_table: int = 50_000
    max_dbdata_bytes: int = 200 * 1024 * 1024
    max_blob_bytes: int = 100 * 1024 * 1024
    #: Requests of at least this many bytes (one-step uploads) are "large":
    #: at most ``max_large_uploads`` of them are decoded at once per server
    #: process; the others wait up to ``large_upload_wait_seconds``, then get
    #: a "server busy, try again" error (copse.api.gate).
    large_upload_bytes: int = 16 * 1024 * 1024
    max_large_uploads: int = 2
    large_upload_wait_seconds: int = 120
    #: Web pages rendered at once per server process; 0 = no limit (the thread
    #: pool's).  Page rendering is Python work under the process's one
    #: interpreter lock, beside any upload in the same process: on SQLite
    #: (one writer, so usually one process) unlimited pages slowed a
    #: 10,000-row upload 3-20x beside 10 looping page clients, 1 far less
    #: (bench/NOTES.md, "web pages beside a large upload").  Others wait
    #: their turn in the event loop, holding no thread; the cost is that one
    #: slow page delays the next in that process.  -1 (the default): 1 on
    #: SQLite, no limit on PostgreSQL and MariaDB (several worker processes).
    web_page_threads: int = -1
    #: With ``web_page_threads`` limited: while a client-API (tablet) request
    #: is being served in the same process, a page keeps its turn after
    #: rendering for this many times its render time (at most 2 s, and no
    #: longer than the tablet requests last), so pages take at most
    #: 1 / (1 + this) of the time beside an upload.  0: no pause.
    web_page_pause: float = 1.0
    log_level: str = "INFO"
    #: Send the web session cookie over plain HTTP too (development only).
    allow_insecure_cookies: bool = False
    #: TLS: serve HTTPS directly with this certificate (PEM, chain first) and key.
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None
    #: Addresses (IPs or CIDR networks, comma-separated) of reverse proxies whose
    #: X-Forwarded-For / X-Forwarded-Proto headers are believed. Empty: none
    #: are, because tablet sessions are bound to the client's IP address.
    trusted_proxies: str = ""
    #: ``text`` or ``json`` (one JSON object per line, for log collectors).
    log_format: str = "text"
    #: Requests slower than this are logged with their operation and row counts.
    slow_request_ms: int = 2000
    #: ``GET /metrics`` (Prometheus) is served only when enabled, and then only
    #: to a bearer of ``metrics_token`` or to an address in ``metrics_allow``.
    metrics_enabled: bool = False
    metrics_token: str = ""
    metrics_allow: str = ""
    #: ``GET /health/ready`` reports unready if the database takes longer.
    health_timeout_seconds: float = 2.0
    #: Web downloads (issue 14): a download of at most this many task rows is
    #: written and streamed back in the request; a bigger one becomes a
    #: background job (``_download_jobs``) run by a server worker.
    download_background_rows: int = 5000
    #: Where background downloads are written (default: ``<data_dir>/downloads``);
    #: several hosts on one database must share it.
    download_dir: Path | None = None
    #: Finished downloads are deleted this many hours after they finish.
    download_keep_hours: int = 48
    #: A user whose kept downloads take this many bytes may start no more jobs.
    download_quota_bytes: int = 2 * 1024 * 1024 * 1024
    #: Whether this process runs queued download jobs; turn it off on web-only
    #: hosts when other hosts on the same database (sharing ``download_dir``)
    #: run them.
    download_runner: bool = True
    #: How often an idle worker looks for queued download jobs.
    download_poll_seconds: float = 2.0
    #: A running job renews its lease this often (a third of it); a job whose
    #: lease has run out belongs to a dead process and is marked failed.
    download_lease_seconds: int = 60

    @property
    def effective_db_url(self) -> str:
        """The database URL, defaulting to an SQLite file in the data folder."""
        if self.db_url:
            return self.db_url
        return f"sqlite:///{(self.data_dir / 'copse.sqlite').resolve()}"

    @property
    def effective_web_page_threads(self) -> int:
        """Pages rendered at once per process (0: no limit); see ``web_page_threads``."""
        if self.web_page_threads >= 0:
            return self.web_page_threads
        return 1 if self.effective_db_url.startswith("sqlite") else 0

    @property
    def effective_download_dir(self) -> Path:
        """The folder of background downloads, defaulting to one in the data folder."""
        return self.download_dir or (self.data_dir / "downloads")


def _coerce(name: str, raw: Any) -> Any:
    kinds = {f.name: f.type for f in fields(Settings)}
    kind = str(kinds[name])
    if isinstance(raw, str):
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            low = raw.strip().lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(f"COPSE_{name.upper()}: expected true/false, got {raw!r}")
    if "Path" in kind:
        return Path(raw) if raw not in (None, "") else None
    return raw


def load_settings(
    config_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Build Settings from defaults, an optional TOML file, the environment and overrides."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    path = config_file or (Path(env["COPSE_CONFIG"]) if env.get("COPSE_CONFIG") else None)
    if path is not None:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        section = data.get("copse", data)
        known = {f.name for f in fields(Settings)}
        unknown = set(section) - known
        if unknown:
            raise ValueError(f"Unknown settings in {path}: {', '.join(sorted(unknown))}")
        values.update({k: _coerce(k, v) for k, v in section.items()})
    for f in fields(Settings):
        key = f"COPSE_{f.name.upper()}"
        if key in env:
            values[f.name] = _coerce(f.name, env[key])
    values.update({k: v for k, v in overrides.items() if v is not None})
    settings = Settings(**values)
    if settings.data_dir is None:
        settings = replace(settings, data_dir=DEFAULT_DATA_DIR)
    return settings
