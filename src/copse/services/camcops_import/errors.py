"""The one error kind the importer raises on purpose."""

from __future__ import annotations

from copse.errors import CopseError


class ImportProblem(CopseError):
    """The import cannot start or cannot go on; the message is one line for the user."""
