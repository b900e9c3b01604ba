"""bcrypt hashing, compatible with the ``$2a$``/``$2b$`` hashes CamCOPS stores."""

from __future__ import annotations

import bcrypt

#: Hash used to spend the same time when a username does not exist, so that
#: response times do not reveal which usernames are real.
_DUMMY_HASH = bcrypt.hashpw(b"dummy!", bcrypt.gensalt(6))


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


def waste_time_like_a_check(password: str | None) -> None:
    check_password(password, _DUMMY_HASH.decode("ascii"))
