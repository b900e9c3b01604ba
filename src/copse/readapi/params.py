"""Query-string checking for the read API.

Strict on purpose: a program that misspells a filter must hear about it
(400 naming the parameter) rather than silently get unfiltered data.  Every
value is checked before any data is read; the same :class:`Param`
declarations document the parameters in the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from starlette.requests import Request

from copse.errors import UserError
from copse.schema.registry import TASK_TABLES

ParamKind = Literal["string", "int", "date", "bool", "enum", "tasktypes", "cursor", "limit"]

DEFAULT_LIMIT = 50
#: The page-size cap: bigger pages would tie up a worker computing summaries.
MAX_LIMIT = 200
MAX_TEXT = 255
_TRUE = ("1", "true", "yes")
_FALSE = ("0", "false", "no")


class BadParam(UserError):
    """A parameter that cannot be used; the message starts with its name."""


@dataclass(frozen=True)
class Param:
    """One parameter of an operation: how it is checked and how it is documented."""

    name: str
    kind: ParamKind
    description: str
    choices: tuple[str, ...] = ()
    location: Literal["query", "path"] = "query"


def _int(name: str, text: str) -> int:
    t = text.strip()
    if not t.lstrip("-").isdigit() or len(t) > 19:
        raise BadParam(f"{name}: {text!r} is not a whole number")
    return int(t)


def _one(p: Param, text: str) -> Any:
    if p.kind == "int":
        return _int(p.name, text)
    if p.kind == "date":
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            raise BadParam(f"{p.name}: {text!r} is not a date (use YYYY-MM-DD)") from None
    if p.kind == "bool":
        low = text.strip().lower()
        if low in _TRUE or low in _FALSE:
            return low in _TRUE
        raise BadParam(f"{p.name}: {text!r} is not true or false")
    if p.kind == "enum":
        value = text.strip()
        if value not in p.choices:
            raise BadParam(f"{p.name}: {text!r} is not one of {', '.join(p.choices)}")
        return value
    if p.kind == "limit":
        n = _int(p.name, text)
        if not 1 <= n <= MAX_LIMIT:
            raise BadParam(f"{p.name}: {n} is out of range (1 to {MAX_LIMIT})")
        return n
    if len(text) > (2000 if p.kind == "cursor" else MAX_TEXT):
        raise BadParam(f"{p.name}: too long")
    return text.strip() or None


def _task_types(p: Param, values: Sequence[str]) -> tuple[str, ...]:
    known = set(TASK_TABLES)
    out: list[str] = []
    for v in values:
        for name in (n.strip() for n in v.split(",")):
            if name not in known:
                raise BadParam(f"{p.name}: {name!r} is not a task type (see /task-types)")
            out.append(name)
    return tuple(dict.fromkeys(out))


def parse_params(declared: Sequence[Param], request: Request) -> dict[str, Any]:
    """The checked query and path parameters; unknown or repeated ones are refused."""
    by_name = {p.name: p for p in declared if p.location == "query"}
    query = request.query_params
    for name in query:
        if name not in by_name:
            known = ", ".join(sorted(by_name)) or "none"
            raise BadParam(f"{name}: unknown parameter (this operation takes: {known})")
    out: dict[str, Any] = {}
    for p in declared:
        if p.location == "path":
            raw = str(request.path_params[p.name])
            out[p.name] = _one(p, raw)
            continue
        values = query.getlist(p.name)
        if not values:
            out[p.name] = DEFAULT_LIMIT if p.kind == "limit" else None
            continue
        if p.kind == "tasktypes":
            out[p.name] = _task_types(p, values)
            continue
        if len(values) > 1:
            raise BadParam(f"{p.name}: given more than once")
        out[p.name] = _one(p, values[0]) if values[0].strip() else None
        if p.kind == "limit" and out[p.name] is None:
            out[p.name] = DEFAULT_LIMIT
    return out
