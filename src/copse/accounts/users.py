"""User and group services: create, look up, change.  They never commit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from copse.accounts.passwords import hash_password
from copse.db.insert import insert_id
from copse.errors import UserError
from copse.schema.tables import groups, memberships, users

USERNAME_RE = re.compile(r"^[A-Za-z0-9_\-]{1,191}$")
GROUPNAME_RE = re.compile(r"^[A-Za-z0-9_\-]{1,191}$")
RESERVED_USERNAMES = frozenset({"system"})

MEMBERSHIP_FLAGS = (
    "groupadmin",
    "may_upload",
    "may_register_devices",
    "may_use_webviewer",
    "view_all_patients_when_unfiltered",
    "may_dump_data",
    "may_run_reports",
    "may_add_notes",
    "may_manage_patients",
    "may_email_patients",
)


@dataclass(frozen=True)
class User:
    id: int
    username: str
    hashedpw: str
    superuser: bool
    upload_group_id: int | None
    auto_generated: bool
    single_patient_pk: int | None
    #: Has a second factor (TOTP) for the web: see :mod:`copse.accounts.mfa`.
    has_totp: bool = False

    @classmethod
    def from_row(cls, row: Any) -> User:
        return cls(
            id=row.id,
            username=row.username,
            hashedpw=row.hashedpw,
            superuser=bool(row.superuser),
            upload_group_id=row.upload_group_id,
            auto_generated=bool(row.auto_generated),
            single_patient_pk=row.single_patient_pk,
            has_totp=row.mfa_method == "totp" and bool(row.mfa_secret_key),
        )


#: The user columns :meth:`User.from_row` reads: what a query for a ``User``
#: selects (perf: the client API's session look-up runs on every request, and
#: a driver decodes every column it is sent; 9 of the table's 20).
USER_COLUMNS = (
    users.c.id,
    users.c.username,
    users.c.hashedpw,
    users.c.superuser,
    users.c.upload_group_id,
    users.c.auto_generated,
    users.c.single_patient_pk,
    users.c.mfa_method,
    users.c.mfa_secret_key,
)


def get_user_by_name(conn: sa.Connection, username: str) -> User | None:
    row = conn.execute(sa.select(*USER_COLUMNS).where(users.c.username == username)).first()
    return User.from_row(row) if row else None


def get_user_by_id(conn: sa.Connection, user_id: int) -> User | None:
    row = conn.execute(sa.select(*USER_COLUMNS).where(users.c.id == user_id)).first()
    return User.from_row(row) if row else None


def get_group_id(conn: sa.Connection, name: str) -> int | None:
    return conn.execute(sa.select(groups.c.id).where(groups.c.name == name)).scalar()


def require_group_id(conn: sa.Connection, name: str) -> int:
    gid = get_group_id(conn, name)
    if gid is None:
        raise UserError(f"No such group: {name!r}")
    return gid


def create_group(conn: sa.Connection, name: str, description: str | None = None) -> int:
    if not GROUPNAME_RE.match(name):
        raise UserError(
            f"Invalid group name {name!r}: use 1-191 characters from A-Z, a-z, 0-9, '_', '-'"
        )
    if get_group_id(conn, name) is not None:
        raise UserError(f"Group {name!r} already exists")
    return int(
        insert_id(
            conn,
            sa.insert(groups).values(
                name=name, description=description, check_policy_on_upload=True
            ),
        )
    )


def create_user(
    conn: sa.Connection,
    username: str,
    password: str,
    *,
    superuser: bool = False,
    upload_group_id: int | None = None,
    fullname: str | None = None,
    email: str | None = None,
    auto_generated: bool = False,
    single_patient_pk: int | None = None,
    bcrypt_rounds: int = 10,
    now: datetime | None = None,
    validate_name: bool = True,
) -> int:
    if validate_name and not USERNAME_RE.match(username):
        raise UserError(
            f"Invalid username {username!r}: use 1-191 characters from A-Z, a-z, 0-9, '_', '-'"
        )
    if username in RESERVED_USERNAMES:
        raise UserError(f"The username {username!r} is reserved")
    if get_user_by_name(conn, username) is not None:
        raise UserError(f"User {username!r} already exists")
    return int(
        insert_id(
            conn,
            sa.insert(users).values(
                username=username,
                hashedpw=hash_password(password, bcrypt_rounds),
                superuser=superuser,
                upload_group_id=upload_group_id,
                fullname=fullname,
                email=email,
                auto_generated=auto_generated,
                single_patient_pk=single_patient_pk,
                last_password_change_utc=now,
                mfa_method="no_mfa",
                hotp_counter=0,
                must_change_password=False,
            ),
        )
    )


def set_password(
    conn: sa.Connection,
    user_id: int,
    password: str,
    *,
    bcrypt_rounds: int = 10,
    now: datetime | None = None,
) -> None:
    conn.execute(
        sa.update(users)
        .where(users.c.id == user_id)
        .values(
            hashedpw=hash_password(password, bcrypt_rounds),
            last_password_change_utc=now,
            must_change_password=False,
        )
    )


def set_membership(conn: sa.Connection, user_id: int, group_id: int, **flags: bool) -> None:
    """Create or update a user's membership of a group with the given flags."""
    unknown = set(flags) - set(MEMBERSHIP_FLAGS)
    if unknown:
        raise ValueError(f"Unknown membership flags: {sorted(unknown)}")
    existing = conn.execute(
        sa.select(memberships.c.id).where(
            memberships.c.user_id == user_id, memberships.c.group_id == group_id
        )
    ).scalar()
    if existing is None:
        values = {f: False for f in MEMBERSHIP_FLAGS}
        values.update(flags)
        conn.execute(sa.insert(memberships).values(user_id=user_id, group_id=group_id, **values))
    elif flags:
        conn.execute(sa.update(memberships).where(memberships.c.id == existing).values(**flags))


def membership_flags(conn: sa.Connection, user_id: int, group_id: int) -> dict[str, bool]:
    row = conn.execute(
        sa.select(memberships).where(
            memberships.c.user_id == user_id, memberships.c.group_id == group_id
        )
    ).first()
    if row is None:
        return {f: False for f in MEMBERSHIP_FLAGS}
    return {f: bool(getattr(row, f)) for f in MEMBERSHIP_FLAGS}


def may_upload(conn: sa.Connection, user: User) -> bool:
    """Upload group set, and superuser or a membership of it with may_upload."""
    if user.upload_group_id is None:
        return False
    return user.superuser or membership_flags(conn, user.id, user.upload_group_id)["may_upload"]


def may_register_devices(conn: sa.Connection, user: User) -> bool:
    if user.upload_group_id is None:
        return False
    return (
        user.superuser
        or membership_flags(conn, user.id, user.upload_group_id)["may_register_devices"]
    )


def restrict_to_patient(conn: sa.Connection, user_id: int, group_id: int, patient_pk: int) -> None:
    """Make a user the single-patient account of one server patient (policies.md §5.5).

    It uploads to the patient's group only, as a member that may upload and
    register devices and do nothing else; any other membership is removed.
    """
    conn.execute(
        sa.update(users)
        .where(users.c.id == user_id)
        .values(
            upload_group_id=group_id,
            auto_generated=True,
            superuser=False,
            single_patient_pk=patient_pk,
        )
    )
    conn.execute(sa.delete(memberships).where(memberships.c.user_id == user_id))
    set_membership(conn, user_id, group_id, may_upload=True, may_register_devices=True)
