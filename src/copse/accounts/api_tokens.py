"""Personal API tokens: the read API's credentials.

A token is ``copse_`` followed by 32 random bytes (URL-safe base64), shown to
its owner once.  Only its SHA-256 is stored.  Why a fast, unsalted hash and
not bcrypt like passwords: a password is short and guessable, so its hash
must be slow and salted to make guessing from a stolen database expensive; a
token carries 256 bits from ``secrets``, so no guessing is possible however
fast the hash is, and a deterministic hash lets each request find its token
with one indexed look-up instead of a bcrypt check (~0.1 s) per request.
The stored hash is useless to a thief: it cannot be turned back into the
token, and the server only accepts the token itself.

Tokens have an optional expiry, can be revoked (kept, marked, so the list
shows what existed), and record when they were last used.  These services
never commit; the caller owns the transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from copse.accounts.users import get_user_by_name
from copse.db.insert import insert_id
from copse.errors import UserError
from copse.schema.tables import api_tokens, memberships, users

TOKEN_PREFIX = "copse_"
#: Characters of the token shown in lists (the prefix plus a few random ones).
SHOWN_CHARS = 12
MAX_NAME = 100
#: Longest expiry accepted, in days (ten years).
MAX_EXPIRY_DAYS = 3650


@dataclass(frozen=True)
class TokenInfo:
    """One token as its owner or an administrator sees it (never the secret)."""

    id: int
    user_id: int
    username: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


@dataclass(frozen=True)
class NewToken:
    """A token just created: ``secret`` is shown once and then forgotten."""

    info: TokenInfo
    secret: str


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise UserError("name: give the token a name, e.g. what will use it")
    if len(name) > MAX_NAME:
        raise UserError(f"name: at most {MAX_NAME} characters")
    return name


def check_expiry_days(days: int | None) -> int | None:
    if days is not None and not 1 <= days <= MAX_EXPIRY_DAYS:
        raise UserError(f"expires: a whole number of days from 1 to {MAX_EXPIRY_DAYS}")
    return days


def create_token(
    conn: sa.Connection, user_id: int, name: str, expires_days: int | None, now: datetime
) -> NewToken:
    """A new token for ``user_id``; the secret is returned once, only its hash is kept."""
    name = check_name(name)
    expires_days = check_expiry_days(expires_days)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = now + timedelta(days=expires_days) if expires_days is not None else None
    token_id = insert_id(
        conn,
        sa.insert(api_tokens).values(
            user_id=user_id,
            token_hash=hash_token(secret),
            prefix=secret[:SHOWN_CHARS],
            name=name,
            created_at_utc=now,
            expires_at_utc=expires,
        ),
    )
    info = get_token(conn, token_id)
    assert info is not None
    return NewToken(info, secret)


def create_token_for(
    conn: sa.Connection, username: str, name: str, expires_days: int | None, now: datetime
) -> NewToken:
    user = get_user_by_name(conn, username)
    if user is None:
        raise UserError(f"No such user: {username!r}")
    return create_token(conn, user.id, name, expires_days, now)


def _select() -> sa.Select[tuple[object, ...]]:
    t = api_tokens
    return sa.select(
        t.c.id,
        t.c.user_id,
        users.c.username,
        t.c.name,
        t.c.prefix,
        t.c.created_at_utc,
        t.c.expires_at_utc,
        t.c.last_used_at_utc,
        t.c.revoked_at_utc,
    ).join(users, users.c.id == t.c.user_id)


def _info(r: sa.Row[tuple[object, ...]]) -> TokenInfo:
    m = r._mapping
    return TokenInfo(
        id=int(m["id"]),
        user_id=int(m["user_id"]),
        username=str(m["username"]),
        name=str(m["name"]),
        prefix=str(m["prefix"]),
        created_at=m["created_at_utc"],
        expires_at=m["expires_at_utc"],
        last_used_at=m["last_used_at_utc"],
        revoked_at=m["revoked_at_utc"],
    )


def get_token(conn: sa.Connection, token_id: int) -> TokenInfo | None:
    row = conn.execute(_select().where(api_tokens.c.id == token_id)).first()
    return _info(row) if row is not None else None


def list_tokens(conn: sa.Connection, user_id: int | None = None) -> list[TokenInfo]:
    """Tokens of one user (or of everyone), newest first."""
    q = _select().order_by(api_tokens.c.id.desc())
    if user_id is not None:
        q = q.where(api_tokens.c.user_id == user_id)
    return [_info(r) for r in conn.execute(q)]


def list_tokens_for(conn: sa.Connection, username: str | None) -> list[TokenInfo]:
    """Tokens of the named user (or of everyone), newest first."""
    if username is None:
        return list_tokens(conn)
    user = get_user_by_name(conn, username)
    if user is None:
        raise UserError(f"No such user: {username!r}")
    return list_tokens(conn, user.id)


def revoke_token(
    conn: sa.Connection, token_id: int, now: datetime, *, owner_id: int | None = None
) -> TokenInfo:
    """Revoke a token (of ``owner_id`` only, if given); revoking twice is harmless.

    A token of another user is reported as not existing, so the web page
    cannot be used to learn other users' token ids.
    """
    info = get_token(conn, token_id)
    if info is None or (owner_id is not None and info.user_id != owner_id):
        raise UserError(f"No such API token: {token_id}")
    if info.revoked_at is None:
        conn.execute(
            sa.update(api_tokens)
            .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at_utc.is_(None))
            .values(revoked_at_utc=now)
        )
    refreshed = get_token(conn, token_id)
    assert refreshed is not None
    return refreshed


def revoke_all_for(conn: sa.Connection, username: str, now: datetime) -> int:
    """Revoke every unrevoked token of a user (e.g. when they leave); returns how many."""
    user = get_user_by_name(conn, username)
    if user is None:
        raise UserError(f"No such user: {username!r}")
    result = conn.execute(
        sa.update(api_tokens)
        .where(api_tokens.c.user_id == user.id, api_tokens.c.revoked_at_utc.is_(None))
        .values(revoked_at_utc=now)
    )
    return int(result.rowcount)


@dataclass(frozen=True)
class TokenCheck:
    """The outcome of presenting a token: a user, or why not (``refusal``)."""

    token_id: int | None = None
    user_id: int | None = None
    #: "invalid", "expired", "revoked" (401) or "not permitted" (403).
    refusal: str | None = None


def authenticate(conn: sa.Connection, presented: str, now: datetime) -> TokenCheck:
    """Who a presented token belongs to, if it is valid now.

    The look-up is by hash (an index), then the hash is compared again in
    constant time, so a timing difference cannot reveal stored hashes.  A
    valid token of a user who may no longer use the web viewer in any group
    (and is not a superuser) is refused as "not permitted".
    """
    if not presented.startswith(TOKEN_PREFIX) or len(presented) > 200:
        return TokenCheck(refusal="invalid")
    digest = hash_token(presented)
    row = conn.execute(
        sa.select(
            api_tokens.c.id,
            api_tokens.c.user_id,
            api_tokens.c.token_hash,
            api_tokens.c.expires_at_utc,
            api_tokens.c.revoked_at_utc,
            users.c.superuser,
        )
        .join(users, users.c.id == api_tokens.c.user_id)
        .where(api_tokens.c.token_hash == digest)
    ).first()
    if row is None or not hmac.compare_digest(str(row.token_hash), digest):
        return TokenCheck(refusal="invalid")
    token_id, user_id = int(row.id), int(row.user_id)
    if row.revoked_at_utc is not None:
        return TokenCheck(token_id, user_id, "revoked")
    if row.expires_at_utc is not None and row.expires_at_utc <= now:
        return TokenCheck(token_id, user_id, "expired")
    if not row.superuser:
        allowed = conn.execute(
            sa.select(sa.func.count())
            .select_from(memberships)
            .where(memberships.c.user_id == user_id, memberships.c.may_use_webviewer == sa.true())
        ).scalar_one()
        if not allowed:
            return TokenCheck(token_id, user_id, "not permitted")
    return TokenCheck(token_id, user_id)


def touch(conn: sa.Connection, token_id: int, now: datetime) -> None:
    """Record a use of the token (every use, as the issue asks)."""
    conn.execute(
        sa.update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at_utc=now)
    )
