"""Which new passwords copse accepts: long enough, not the username, not common.

The rules apply to every password a person chooses, through the web, the CLI
or anywhere else; existing passwords keep working (they are only checked when
set). The common-password list is the 30,000 most frequent passwords from
leaked-password corpora that the ``zxcvbn`` strength estimator ships, plus a
few choices of our own that are obvious for a CamCOPS server. Messages name
the rule that failed; the first three are the reference server's words.
"""

from __future__ import annotations

from functools import cache

from zxcvbn.frequency_lists import FREQUENCY_LISTS

#: The default of the ``password_min_length`` setting (the reference's minimum).
DEFAULT_MIN_LENGTH = 10

#: Obvious choices for this kind of server that the frequency lists may miss.
LOCAL_COMMON = frozenset(
    {
        "camcopscamcops",
        "camcops1234",
        "camcops12345",
        "copsecopse",
        "changeme123",
        "password1234",
        "administrator",
    }
)


@cache
def common_passwords() -> frozenset[str]:
    """At least 30,000 commonly used passwords, lower-cased."""
    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"]) | LOCAL_COMMON


def password_problem(new: str, username: str, min_length: int = DEFAULT_MIN_LENGTH) -> str | None:
    """Why a proposed password is refused, or None if it is acceptable."""
    if not new:
        return "Passwords can't be blank"
    if len(new) < min_length:
        return f"Passwords can't be shorter than {min_length} characters"
    if username and new.lower() == username.lower():
        return "A password can't be the same as the username"
    if new.lower() in common_passwords():
        return "That password is used too commonly; try again"
    return None
