"""Logging for the server and the CLI: request ids on every line, text or JSON.

Each HTTP request gets an id (or keeps a well-formed ``X-Request-ID`` that a
proxy in front already gave it), held in a context variable for the length of
the request. A logging filter copies it onto every record, so one request can
be followed through the log even with several workers writing to one stream;
the id goes back to the caller in the ``X-Request-ID`` response header.
Context variables follow the request into the thread pool that runs the
database work, so lines logged there carry the id too.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime
from typing import Any

#: The current request's id ("-" outside a request, e.g. at start-up).
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("copse_request_id", default="-")

REQUEST_ID_HEADER = "x-request-id"
#: What we accept from a proxy: short, printable, no separators that could
#: forge extra fields in a text log line.
_GOOD_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")

TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
LOG_FORMATS = ("text", "json")


def new_request_id(offered: str | None) -> str:
    """The proxy's id if it is well formed, else a fresh random one."""
    if offered and _GOOD_ID.match(offered):
        return offered
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record passing through a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, message, extras."""

    #: Attributes every LogRecord has; anything else was passed as ``extra``.
    _STANDARD = frozenset(
        vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()
        | {"message", "asctime", "request_id", "taskName"}
    )

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", REQUEST_ID.get()),
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in self._STANDARD and not key.startswith("_"):
                out[key] = (
                    value if isinstance(value, (int, float, str, bool, type(None))) else str(value)
                )
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def configure_logging(level: str = "INFO", log_format: str = "text") -> None:
    """Root logging for the server and the CLI: one handler, request ids on every line.

    Replaces any handler already installed (uvicorn installs its own for its
    access log; ours then formats those lines too, so all lines look alike).
    """
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log_format must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        # Let uvicorn's lines reach our handler (and only ours).
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
