"""The error tree every layer raises, and how each kind reaches the wire.

The client API has three ways of failing (spec wire.md §1.5): a user error
(HTTP 200, ``success:0``), a server error (HTTP 503 with the message in the
reason phrase) and an invalid request set-up (HTTP 400, a fixed plain-text
body).  Pure layers raise these classes so that the endpoint can map them
without knowing where they came from.
"""

from __future__ import annotations


class CopseError(Exception):
    """Base of every error copse raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UserError(CopseError):
    """Bad input or a refused action: ``success:0`` with HTTP 200."""


class ServerError(CopseError):
    """The server cannot serve this request: ``success:0`` with HTTP 503."""


class BadRequest(CopseError):
    """The request cannot even be set up (version, reserved names): HTTP 400."""


class ActionRefused(CopseError):
    """A web or CLI action can't be done on this record, account or definition.

    The message says why in words a user can act on; the web shows it as a
    400 page, the CLI as one line.
    """


class LimitExceeded(UserError):
    """A configured cap was exceeded; the message names the cap."""
