"""Logging set-up shared by the server and the CLI (see :mod:`copse.ops.tracing`)."""

from __future__ import annotations

from copse.ops.tracing import configure_logging

__all__ = ["configure_logging"]
