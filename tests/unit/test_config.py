"""Settings precedence: environment over TOML file over defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from copse.config import Settings, load_settings


def test_defaults_use_sqlite_in_data_dir() -> None:
    s = load_settings(env={})
    assert s == Settings()
    assert s.effective_db_url.startswith("sqlite:///") and s.effective_db_url.endswith(
        "copse-data/copse.sqlite"
    )
    assert s.session_timeout_minutes == 30 and s.lockout_threshold == 10


def test_file_then_env(tmp_path: Path) -> None:
    f = tmp_path / "copse.toml"
    f.write_text(
        '[copse]\nport = 9000\nsession_timeout_minutes = 5\ndatabase_title = "From file"\n'
        'extra_strings_dir = "/srv/strings"\nsession_check_ip = false\n'
    )
    s = load_settings(env={"COPSE_CONFIG": str(f), "COPSE_PORT": "9100"})
    assert s.port == 9100  # environment wins
    assert s.session_timeout_minutes == 5 and s.database_title == "From file"
    assert s.extra_strings_dir == Path("/srv/strings") and s.session_check_ip is False


def test_unknown_setting_in_file_is_an_error(tmp_path: Path) -> None:
    f = tmp_path / "copse.toml"
    f.write_text("[copse]\nprot = 1\n")
    with pytest.raises(ValueError, match="prot"):
        load_settings(config_file=f, env={})


def test_bad_boolean_is_an_error() -> None:
    with pytest.raises(ValueError, match="COPSE_SESSION_CHECK_IP"):
        load_settings(env={"COPSE_SESSION_CHECK_IP": "maybe"})
