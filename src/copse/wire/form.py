"""Typed readers over a decoded request form (wire.md §1.2, §3 "shared parameter readers").

The reference treats a blank parameter exactly like a missing one when reading
it (``x=`` fails with ``Must provide the variable: x``), while a bare presence
test still sees the key.  Both behaviours matter (see the ``move_off_tablet_values``
quirk, wire.md §8 item 23), so :meth:`Form.has` and the readers differ on purpose.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from copse.errors import UserError


class Form:
    """Read parameters from a ``Mapping[str, str]`` with the reference's error messages."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, str]) -> None:
        self._data = data

    @property
    def data(self) -> Mapping[str, str]:
        """The underlying mapping."""
        return self._data

    def has(self, key: str) -> bool:
        """True if the key was sent at all, even with a blank value."""
        return key in self._data

    def release(self, key: str) -> None:
        """Drop a parameter's text once it has been read for good.

        A one-step upload's ``dbdata`` is tens of MB: after it has been parsed
        (and the result kept for any retry, see ``ApiRequest.memo``) the text
        need not live as long as the request.
        """
        if isinstance(self._data, dict):
            self._data.pop(key, None)

    def raw(self, key: str) -> str | None:
        """The value exactly as sent (blank included), or None if absent."""
        return self._data.get(key)

    def optional_str(self, key: str, default: str | None = None) -> str | None:
        """The value, or ``default`` if the key is absent or blank (blank means missing)."""
        value = self._data.get(key)
        if not value:
            return default
        return value

    def required_str(self, key: str) -> str:
        """The value; raises ``Must provide the variable: {key}`` if absent or blank."""
        value = self._data.get(key)
        if not value:
            raise UserError(f"Must provide the variable: {key}")
        return value

    @staticmethod
    def _to_int(key: str, s: str) -> int:
        # Python int(), with its leniency (" 5", "+5", "1_000"), as the reference.
        try:
            return int(s)
        except ValueError:
            raise UserError(f"Variable {key} is not a valid integer; was {s!r}") from None

    def required_int(self, key: str) -> int:
        """A mandatory integer parameter."""
        return self._to_int(key, self.required_str(key))

    def optional_int(self, key: str, default: int | None = None) -> int | None:
        """An integer parameter, ``default`` if absent or blank; an error if not an integer."""
        value = self.optional_str(key)
        if value is None:
            return default
        return self._to_int(key, value)

    def lenient_int(self, key: str) -> int | None:
        """An integer, or None if absent, blank or not an integer (as for ``session_id``)."""
        value = self.optional_str(key)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            return None

    def required_bool_int(self, key: str) -> bool:
        """A mandatory boolean sent as an integer string: 0 is false, anything else true."""
        return self.required_int(key) != 0

    def json(self, key: str, required: bool = True) -> Any:
        """A JSON parameter, decoded.

        Missing or blank: ``Must provide the variable: {key}`` when required,
        else None.  Undecodable: ``Bad JSON for key '{key}'``.  Like Python's
        default decoder, ``NaN`` and ``Infinity`` are accepted and a repeated
        object key keeps its last value.
        """
        text = self.required_str(key) if required else self.optional_str(key)
        if text is None:
            return None
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            raise UserError(f"Bad JSON for key '{key}'") from None
