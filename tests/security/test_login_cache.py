"""The tablet login's memory of passwords just checked (``login_cache_seconds``).

A hit skips bcrypt (counted by wrapping the check the login calls); a
password change, disabling, a lockout, a second factor, expiry and
``login_cache_seconds=0`` each make the login check (or refuse) as before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
import sqlalchemy as sa

import copse.accounts.login as login_module
from copse.accounts import admin_ops, mfa
from copse.accounts.login_cache import VerifiedLogins
from copse.accounts.passwords import hash_password
from copse.accounts.users import set_password
from copse.schema.tables import login_failures, users
from tests.reliability.helpers import InProc
from tests.support.api import qt_form_encode
from tests.support.databases import Backend

HASH = hash_password("tall-copper-kettle-9", 4)


class Clock:
    """An injected monotonic clock."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


# ------------------------------------------------------------ the cache alone
def test_remembers_only_this_password_for_this_hash() -> None:
    c = VerifiedLogins(300)
    assert not c.verified(1, HASH, "tall-copper-kettle-9")
    c.remember(1, HASH, "tall-copper-kettle-9")
    assert c.verified(1, HASH, "tall-copper-kettle-9")
    assert not c.verified(1, HASH, "tall-copper-kettle-0")
    assert not c.verified(1, HASH, None)
    assert not c.verified(2, HASH, "tall-copper-kettle-9")
    assert not c.verified(1, hash_password("tall-copper-kettle-9", 4), "tall-copper-kettle-9")
    assert not c.verified(1, "", "tall-copper-kettle-9")


def test_holds_neither_the_password_nor_a_plain_hash_of_it() -> None:
    c = VerifiedLogins(300)
    password = "tall-copper-kettle-9"
    c.remember(1, HASH, password)
    (mac, _), *_ = c._entries.values()
    assert password.encode() not in mac
    plain = {hashlib.sha256(password.encode()).digest(), hashlib.sha256(b"\0" + password.encode())}
    assert mac not in plain
    # Another process (another key) makes another MAC of the same password.
    other = VerifiedLogins(300)
    other.remember(1, HASH, password)
    assert next(iter(other._entries.values()))[0] != mac


def test_expires_after_ttl_from_the_check_and_hits_do_not_extend_it() -> None:
    clock = Clock()
    c = VerifiedLogins(300, clock=clock)
    c.remember(1, HASH, "pw")
    clock.t += 299
    assert c.verified(1, HASH, "pw")
    clock.t += 1
    assert not c.verified(1, HASH, "pw")
    assert len(c) == 0


def test_a_clock_that_goes_back_expires_the_entry() -> None:
    clock = Clock()
    c = VerifiedLogins(300, clock=clock)
    c.remember(1, HASH, "pw")
    clock.t -= 1
    assert not c.verified(1, HASH, "pw")


def test_zero_disables() -> None:
    c = VerifiedLogins(0)
    c.remember(1, HASH, "pw")
    assert not c.verified(1, HASH, "pw") and len(c) == 0


def test_bounded_oldest_first() -> None:
    c = VerifiedLogins(300, max_entries=3)
    for uid in range(5):
        c.remember(uid, HASH, "pw")
    assert len(c) == 3
    assert [c.verified(uid, HASH, "pw") for uid in range(5)] == [False, False, True, True, True]


# ------------------------------------------------------- through the tablet API
@pytest.fixture
def bcrypt_checks(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """Every bcrypt check of a real user's hash made by a login."""
    calls: list[str | None] = []
    real = login_module.check_password

    def counting(password: str | None, hashed: str | None) -> bool:
        calls.append(password)
        return real(password, hashed)

    monkeypatch.setattr(login_module, "check_password", counting)
    return calls


@pytest.fixture
def api(db: Backend, site: dict[str, str]) -> InProc:
    a = InProc(db.engine)
    a.register()
    return a


def login(api: InProc, password: str | None = None) -> tuple[bool, str]:
    """A new conversation's first request: no session, so the tablet logs in."""
    fields = api.base("check_upload_user_and_device")
    if password is not None:
        fields["password"] = password
    r = api.raw(qt_form_encode(fields))
    return r.ok, r.error


def user_id(db: Backend, name: str = "alice") -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(sa.select(users.c.id).where(users.c.username == name)).scalar_one())


def failures(db: Backend) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(login_failures)).scalar())


def change(db: Backend, fn: Callable[[sa.Connection], object]) -> None:
    with db.engine.begin() as conn:
        fn(conn)


def test_a_second_login_skips_bcrypt(api: InProc, bcrypt_checks: list[str | None]) -> None:
    bcrypt_checks.clear()  # the registration's login is already remembered
    for _ in range(3):
        assert login(api) == (True, "")
    assert bcrypt_checks == []


def test_a_wrong_password_is_checked_counted_and_not_remembered(
    db: Backend, api: InProc, bcrypt_checks: list[str | None]
) -> None:
    bcrypt_checks.clear()
    ok, error = login(api, "not-alices-password")
    assert not ok and "Invalid username/password" in error
    assert bcrypt_checks == ["not-alices-password"] and failures(db) == 1
    assert not login(api, "not-alices-password")[0]
    assert len(bcrypt_checks) == 2 and failures(db) == 2
    assert login(api)[0] and len(bcrypt_checks) == 2  # the right one is still remembered
    assert failures(db) == 0  # and a right password still clears the failures


def test_a_password_change_defeats_it(
    db: Backend, api: InProc, bcrypt_checks: list[str | None]
) -> None:
    uid = user_id(db)
    change(db, lambda conn: set_password(conn, uid, "new-password-77", bcrypt_rounds=4))
    bcrypt_checks.clear()
    assert not login(api)[0]
    assert bcrypt_checks == ["alice-password-1"]
    assert login(api, "new-password-77")[0]
    assert login(api, "new-password-77")[0]
    assert bcrypt_checks == ["alice-password-1", "new-password-77"]


def test_disabling_defeats_it(db: Backend, api: InProc) -> None:
    uid = user_id(db)
    change(db, lambda conn: admin_ops.disable_user(conn, uid))
    assert not login(api)[0]


def test_a_lockout_defeats_it(db: Backend, api: InProc) -> None:
    strict = api.with_settings(lockout_threshold=2)
    strict.api.verified_logins = api.api.verified_logins  # the same process's memory
    assert login(strict)[0]
    assert not login(strict, "wrong-password-1")[0]
    assert not login(strict, "wrong-password-2")[0]
    ok, error = login(strict)
    assert not ok and "locked" in error
    assert failures(db) == 2  # the refused login did not clear them


def test_expiry_with_an_injected_clock(api: InProc, bcrypt_checks: list[str | None]) -> None:
    clock = Clock()
    api.api.verified_logins = VerifiedLogins(300, clock=clock)
    bcrypt_checks.clear()
    assert login(api)[0] and login(api)[0]
    assert len(bcrypt_checks) == 1
    clock.t += 301
    assert login(api)[0]
    assert len(bcrypt_checks) == 2


def test_zero_seconds_turns_it_off(
    db: Backend, site: dict[str, str], bcrypt_checks: list[str | None]
) -> None:
    api = InProc(db.engine).with_settings(login_cache_seconds=0)
    api.register()
    assert login(api)[0] and login(api)[0]
    assert len(bcrypt_checks) == 3


def test_a_user_with_a_second_factor_is_always_checked(
    db: Backend, api: InProc, bcrypt_checks: list[str | None]
) -> None:
    change(
        db,
        lambda conn: conn.execute(
            sa.update(users)
            .where(users.c.username == "alice")
            .values(mfa_method=mfa.TOTP, mfa_secret_key=mfa.new_secret())
        ),
    )
    bcrypt_checks.clear()
    assert login(api)[0] and login(api)[0]
    assert len(bcrypt_checks) == 2


def test_an_upgraded_hash_is_remembered_under_its_new_value(
    db: Backend, api: InProc, bcrypt_checks: list[str | None]
) -> None:
    old = hash_password("alice-password-1", 4)
    change(
        db,
        lambda conn: conn.execute(
            sa.update(users).where(users.c.username == "alice").values(hashedpw=old)
        ),
    )
    higher = api.with_settings(bcrypt_rounds=5)
    bcrypt_checks.clear()
    assert login(higher)[0] and login(higher)[0]
    assert len(bcrypt_checks) == 1
    with db.engine.connect() as conn:
        now = conn.execute(sa.select(users.c.hashedpw).where(users.c.username == "alice"))
        assert now.scalar_one().startswith("$2b$05$")
