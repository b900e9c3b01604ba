"""Fixtures shared by all tests: databases per backend, a real server, the CLI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from tests.support.databases import Backend, configured_backends, create_backend, drop_backend
from tests.support.server import DEFAULT_TLS, ServerProcess

#: Fixture modules shared by several test packages (``uploader``).
pytest_plugins = ["tests.support.upload_fixtures"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run ``@pytest.mark.sqlite_only`` tests on SQLite only.

    Those are web tests of rendering, sessions, CSRF, escaping and the browser,
    whose SQL is the same simple Core on every backend; the tests whose queries
    differ by backend (task lists, index/direct equality, permissions, data
    changing admin actions, the engine) run on all of them.
    ``COPSE_TEST_ALL_BACKENDS=1`` runs everything everywhere. Tests marked
    ``server_db_only`` (several copse hosts on one database server) run on
    PostgreSQL and MariaDB only.
    """
    everywhere = bool(os.environ.get("COPSE_TEST_ALL_BACKENDS"))
    keep, drop = [], []
    for item in items:
        spec = getattr(item, "callspec", None)
        name = spec.params.get("backend") if spec else None
        if item.get_closest_marker("server_db_only") and name == "sqlite":
            # Layouts of several hosts on one database server: not SQLite's.
            drop.append(item)
        elif (
            not everywhere
            and item.get_closest_marker("sqlite_only")
            and name
            not in (
                None,
                "sqlite",
            )
        ):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session", params=configured_backends())
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    """One migrated database per configured backend for the whole run."""
    b = create_backend(request.param, tmp_path_factory.mktemp(f"db-{request.param}"))
    yield b
    drop_backend(b)


@pytest.fixture
def db(backend: Backend) -> Backend:
    """The backend's database, emptied before the test."""
    backend.wipe()
    return backend


@pytest.fixture(scope="session")
def _server_process(
    backend: Backend, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    log = tmp_path_factory.mktemp("server-log") / "server.log"
    # Shared by many tests: it must not run download jobs that tests queue
    # for their own runner (it would take them, and write files elsewhere).
    s = ServerProcess(backend.url, log, extra_env={"COPSE_DOWNLOAD_RUNNER": "false"})
    s.start()
    yield s
    s.stop()


@pytest.fixture
def server(_server_process: ServerProcess, db: Backend) -> ServerProcess:
    """A running copse server on the backend's (emptied) database."""
    if _server_process.proc is None or _server_process.proc.poll() is not None:
        _server_process.start()
    return _server_process


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60.0, verify=DEFAULT_TLS) as c:
        yield c


class Cli:
    """Runs ``copse`` sub-commands in-process against the test database."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.runner = CliRunner()

    def __call__(self, *args: str, ok: bool = True, env: dict[str, str] | None = None) -> str:
        from copse.cli import cli

        full_env = {"COPSE_BCRYPT_ROUNDS": "4"}
        full_env.update(env or {})
        result = self.runner.invoke(
            cli, ["--db-url", self.backend.url, *args], env=full_env, catch_exceptions=False
        )
        if ok and result.exit_code != 0:
            raise AssertionError(
                f"copse {' '.join(args)} failed ({result.exit_code}): {result.output}"
            )
        if not ok and result.exit_code == 0:
            raise AssertionError(f"copse {' '.join(args)} unexpectedly succeeded: {result.output}")
        return result.output


@pytest.fixture
def cli(db: Backend) -> Cli:
    return Cli(db)


SITE_UPLOAD_POLICY = "sex AND ((forename AND surname AND dob) OR anyidnum)"
SITE_FINALIZE_POLICY = "sex AND ((forename AND surname AND dob) OR anyidnum)"


@pytest.fixture
def site(cli: Cli) -> dict[str, str]:
    """A typical site: a group, an NHS-number definition, an uploading user.

    The group has realistic ID policies, but their upload-time enforcement is
    switched off here so that engine tests can use minimal patient rows;
    tests of the enforcement switch it on (``copse group set-policy
    --check-on-upload``).
    """
    cli(
        "idnum",
        "add",
        "1",
        "--description",
        "NHS number",
        "--short-description",
        "NHS#",
        "--validation-method",
        "uk_nhs_number",
    )
    cli(
        "group",
        "add",
        "ward1",
        "--upload-policy",
        SITE_UPLOAD_POLICY,
        "--finalize-policy",
        SITE_FINALIZE_POLICY,
    )
    cli("group", "set-policy", "ward1", "--no-check-on-upload")
    cli(
        "user",
        "add",
        "alice",
        "--password",
        "alice-password-1",
        "--group",
        "ward1",
        "--may-upload",
        "--may-register-devices",
    )
    return {"user": "alice", "password": "alice-password-1", "group": "ward1"}


@pytest.fixture
def artifacts_dir() -> Path:
    p = Path(__file__).resolve().parent.parent / "test-artifacts"
    p.mkdir(exist_ok=True)
    return p
