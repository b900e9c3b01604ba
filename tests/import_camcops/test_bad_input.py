"""Bad input to ``copse import-camcops``: one clear line, exit code 1, nothing written.

Also the dry run, which reads everything and writes nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from click.testing import CliRunner, Result
from sqlalchemy.engine import make_url

from copse.cli import cli
from copse.db.engine import make_engine
from tests.conftest import Cli
from tests.support.databases import Backend, nonempty_tables


def run(db: Backend, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db-url", db.url, "import-camcops", *args])


def assert_refused(db: Backend, result: Result, words: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert words in lines[0], lines[0]
    with db.engine.connect() as conn:
        assert nonempty_tables(conn) == set()


def _source_with(url: str, *statements: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            for s in statements:
                conn.exec_driver_sql(s)
    finally:
        engine.dispose()


def test_unreachable_source(db: Backend) -> None:
    assert_refused(
        db, run(db, "mysql://root@127.0.0.1:1/camcops"), "Cannot connect to the CamCOPS database"
    )


def test_wrong_credentials(db: Backend, camcops_source: str) -> None:
    bad = make_url(camcops_source).set(username="nosuchuser", password="wrong")
    r = run(db, bad.render_as_string(hide_password=False))
    assert_refused(db, r, "Access denied")
    assert "wrong" not in r.output  # the password is never echoed


def test_source_must_be_mysql(db: Backend) -> None:
    assert_refused(db, run(db, "sqlite:///camcops.db"), "must be MySQL/MariaDB")


def test_not_a_camcops_database(db: Backend, scratch_mysql_db: str) -> None:
    _source_with(scratch_mysql_db, "CREATE TABLE customers (id INT PRIMARY KEY)")
    assert_refused(db, run(db, scratch_mysql_db), "Not a CamCOPS database")


def _camcops_like(url: str, revision: str) -> None:
    _source_with(
        url,
        "CREATE TABLE _alembic_version (version_num VARCHAR(32) NOT NULL)",
        f"INSERT INTO _alembic_version VALUES ('{revision}')",
        "CREATE TABLE _security_users (id INT PRIMARY KEY)",
        "CREATE TABLE _security_devices (id INT PRIMARY KEY)",
        "CREATE TABLE patient (_pk INT PRIMARY KEY)",
    )


def test_newer_schema_revision_refused(db: Backend, scratch_mysql_db: str) -> None:
    _camcops_like(scratch_mysql_db, "0099")
    assert_refused(db, run(db, scratch_mysql_db), "revision 0099 is not one of CamCOPS 2.4.x")


def test_schema_that_does_not_match_refused(db: Backend, scratch_mysql_db: str) -> None:
    _camcops_like(scratch_mysql_db, "0087")
    assert_refused(db, run(db, scratch_mysql_db), "does not match what copse imports")


def test_copse_database_holding_other_data(cli: Cli, camcops_source: str) -> None:
    cli("group", "add", "ward1")
    r = run(cli.backend, camcops_source)
    assert r.exit_code == 1
    assert "already holds data" in r.output and "Traceback" not in r.output
    with cli.backend.engine.connect() as conn:
        # The group and the audit entry of the command that added it; nothing imported.
        assert nonempty_tables(conn) == {"_security_groups", "_security_audit"}
        assert conn.execute(sa.text("SELECT name FROM _security_groups")).scalars().all() == [
            "ward1"
        ]


def test_dry_run_reports_and_writes_nothing(db: Backend, camcops_source: str) -> None:
    r = run(db, "--dry-run", camcops_source)
    assert r.exit_code == 0, r.output
    assert "Would import" in r.output
    assert "  gad7: 82 (" in r.output
    assert "  blobs: 94 (" in r.output
    assert "_security_user_group: 1 row(s) left out" in r.output
    assert "_task_index (842 rows)" in r.output
    assert "Dry run: nothing was written." in r.output
    with db.engine.connect() as conn:
        assert nonempty_tables(conn) == set()
