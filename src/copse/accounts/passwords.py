"""bcrypt hashing, compatible with the ``$2a$``/``$2b$`` hashes CamCOPS stores."""

from __future__ import annotations

from functools import cache

import bcrypt


@cache
def _dummy_hash(rounds: int) -> str:
    """A hash at the configured cost, checked when a username does not exist.

    An unknown name then costs exactly as much as a known name with a wrong
    password (same bcrypt cost), so timing tells an attacker nothing about
    which usernames are real.
    """
    return bcrypt.hashpw(b"dummy!", bcrypt.gensalt(rounds)).decode("ascii")


def hash_password(password: str, rounds: int = 10) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds)).decode("ascii")


def check_password(password: str | None, hashed: str | None) -> bool:
    """True if ``password`` matches; malformed or empty hashes never match."""
    if not hashed:
        return False
    try:
        return bcrypt.checkpw((password or "").encode("utf-8"), hashed.encode("ascii"))
    except ValueError:
        return False


def waste_time_like_a_check(password: str | None, rounds: int = 10) -> None:
    """Spend what checking a real hash of cost ``rounds`` would spend."""
    check_password(password, _dummy_hash(rounds))


def hash_cost(hashed: str | None) -> int | None:
    """The bcrypt cost of a stored hash (``$2a$06$...`` → 6), None if not bcrypt."""
    parts = (hashed or "").split("$")
    if len(parts) < 4 or parts[1] not in ("2a", "2b", "2y") or not parts[2].isdigit():
        return None
    return int(parts[2])


def needs_rehash(hashed: str | None, rounds: int) -> bool:
    """Whether a hash that just verified should be re-hashed at the configured cost."""
    cost = hash_cost(hashed)
    return cost is not None and cost < rounds
