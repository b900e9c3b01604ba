"""Shared helpers for CLI commands."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TypeVar

import click
import sqlalchemy as sa

from copse.config import Settings, load_settings
from copse.db.engine import make_engine
from copse.errors import CopseError

T = TypeVar("T")


@dataclass
class CliContext:
    config_file: Path | None = None
    db_url: str | None = None
    data_dir: Path | None = None
    _engine: sa.Engine | None = field(default=None, repr=False)

    @cached_property
    def settings(self) -> Settings:
        try:
            return load_settings(self.config_file, db_url=self.db_url, data_dir=self.data_dir)
        except (ValueError, OSError) as exc:
            raise click.ClickException(f"Bad settings: {exc}") from None

    @property
    def engine(self) -> sa.Engine:
        if self._engine is None:
            self._engine = make_engine(self.settings.effective_db_url)
        return self._engine

    @contextmanager
    def transaction(self) -> Iterator[sa.Connection]:
        """One transaction; copse errors become one-line CLI errors."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except CopseError as exc:
            raise click.ClickException(exc.message) from None
        except sa.exc.OperationalError as exc:
            raise click.ClickException(f"Database error: {exc.orig}") from None

    def run(self, work: Callable[[sa.Connection], T]) -> T:
        with self.transaction() as conn:
            return work(conn)


pass_cli = click.make_pass_decorator(CliContext)
