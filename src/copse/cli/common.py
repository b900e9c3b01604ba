"""Shared helpers for CLI commands."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TypeVar

import click
import sqlalchemy as sa

from copse.audit import audit
from copse.config import Settings, load_settings
from copse.db.engine import make_engine, normalise_url
from copse.errors import CopseError
from copse.wire.dates import utcnow

T = TypeVar("T")


class BadUsage(click.ClickException):
    """A one-line error for a wrong command line (exit code 2, as click's usage errors)."""

    exit_code = 2


NO_SCHEMA = "The database has no copse tables yet: run `copse db upgrade` first"
#: A table every migrated copse database has.
SCHEMA_MARKER = "_alembic_version"


def sqlite_file(url: sa.URL) -> Path | None:
    """The file of an SQLite URL (None for other backends or in-memory)."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


@dataclass
class CliContext:
    config_file: Path | None = None
    db_url: str | None = None
    data_dir: Path | None = None
    _engine: sa.Engine | None = field(default=None, repr=False)
    _schema_ok: bool = field(default=False, repr=False)
    #: Added to the audit line of this command (e.g. what housekeeping removed).
    audit_note: str = ""

    @cached_property
    def settings(self) -> Settings:
        try:
            return load_settings(self.config_file, db_url=self.db_url, data_dir=self.data_dir)
        except (ValueError, OSError) as exc:
            raise click.ClickException(f"Bad settings: {exc}") from None

    @cached_property
    def url(self) -> sa.URL:
        """The database URL, checked: a bad one is a one-line error, never a traceback."""
        raw = self.settings.effective_db_url
        try:
            url = normalise_url(raw)
            url.get_dialect()  # loads the dialect and driver: an unknown one fails here
        except (sa.exc.ArgumentError, ValueError) as exc:
            scheme = raw.partition("://")[0] if "://" in raw else raw[:40]
            raise BadUsage(
                f"Bad database URL (scheme {scheme!r}): {exc}. Use e.g. "
                "sqlite:///path/copse.sqlite, postgresql://user@host/copse "
                "or mysql://user@host/copse"
            ) from None
        return url

    @property
    def engine(self) -> sa.Engine:
        """The engine; for SQLite it creates the database file (``db upgrade``, ``serve``)."""
        if self._engine is None:
            self._engine = make_engine(self.url.render_as_string(hide_password=False))
        return self._engine

    def close(self) -> None:
        """Close the engine's pooled connections when the command ends.

        A process exits anyway; but the command also runs in-process (tests,
        ``CliRunner``), where an engine left to the garbage collector keeps
        its database connections open until then.
        """
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def existing_engine(self) -> sa.Engine:
        """The engine of a database that must already exist: nothing is created on disk."""
        path = sqlite_file(self.url)
        if path is not None and not path.exists():
            raise click.ClickException(
                f"No copse database at {path}: create it with `copse db upgrade`"
            )
        return self.engine

    @contextmanager
    def transaction(self) -> Iterator[sa.Connection]:
        """One transaction; copse errors become one-line CLI errors.

        A command that can change something is audited in the same
        transaction, so the audit entry exists exactly when the change does.
        """
        try:
            with self.existing_engine().begin() as conn:
                if not self._schema_ok:
                    if not sa.inspect(conn).has_table(SCHEMA_MARKER):
                        raise click.ClickException(NO_SCHEMA)
                    self._schema_ok = True
                yield conn
                line = command_audit_line(self.audit_note)
                if line is not None:
                    audit(conn, line, source="console", now=utcnow())
        except CopseError as exc:
            raise click.ClickException(exc.message) from None
        except sa.exc.DBAPIError as exc:
            raise click.ClickException(f"Database error: {exc.orig}") from None

    def run(self, work: Callable[[sa.Connection], T]) -> T:
        with self.transaction() as conn:
            return work(conn)


pass_cli = click.make_pass_decorator(CliContext)

#: Commands that only read (``copse <path>``): everything else is audited.
READ_ONLY_COMMANDS = frozenset(
    {
        "user list",
        "group list",
        "idnum list",
        "patient list",
        "schedule list",
        "db current",
        "db check",
        "check-index",
        "dev-cert",
        "token list",
    }
)
#: Options whose values never reach the audit trail.
SECRET_WORDS = ("password", "secret", "token", "key")


def hide_url_password(text: str) -> str:
    """A database URL with its password replaced by ``***`` (unparseable: hidden whole)."""
    try:
        return sa.make_url(text).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(hidden)"


def command_audit_line(note: str = "") -> str | None:
    """What the running command did, for the audit (None for read-only commands).

    Who: "cli" and the operating-system user; what: the command and its
    options, with passwords and other secrets replaced by "(hidden)".
    """
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return None
    path = ctx.command_path.split(" ", 1)[1] if " " in ctx.command_path else ctx.command_path
    if path in READ_ONLY_COMMANDS:
        return None
    shown = []
    for name, value in sorted(ctx.params.items()):
        if value in (None, False, (), ""):
            continue
        if any(word in name.lower() for word in SECRET_WORDS):
            value = "(hidden)"
        elif isinstance(value, str) and "://" in value:
            value = hide_url_password(value)
        shown.append(f"{name}={value!r}")
    line = f"CLI (OS user {getpass.getuser()}): copse {path}"
    if shown:
        line += " " + ", ".join(shown)
    return f"{line}; {note}" if note else line
