"""Two-factor login rules (copse.accounts.mfa), with the clock set by the test.

Real databases; the time each step "happens" is passed in, so the ±1 step
window, replay refusal and expiry are tested exactly, without sleeping.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pyotp
import sqlalchemy as sa

from copse.accounts import lockout, mfa
from copse.accounts import web_sessions as auth
from copse.config import Settings
from copse.schema.tables import audit, mfa_recovery_codes, users
from tests.conftest import Cli
from tests.support.databases import Backend

PASSWORD = "correct-horse-battery"
T0 = datetime(2026, 12, 3, 12, 0, 10)  # 10 s into a 30-second step


def settings(db: Backend) -> Settings:
    return Settings(db_url=db.url, bcrypt_rounds=4, lockout_threshold=3, lockout_minutes=10)


def code(secret: str, at: datetime, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(at + timedelta(seconds=30 * steps))


def enrol(db: Backend, cli: Cli, username: str = "alice") -> tuple[int, str, list[str]]:
    """Enrol ``username`` at T0; returns (user id, secret, recovery codes)."""
    cli("user", "add", username, "--password", PASSWORD, "--superuser")
    s = settings(db)
    with db.engine.begin() as conn:
        uid = conn.execute(sa.select(users.c.id).where(users.c.username == username)).scalar_one()
        session = auth.create_session(conn, "127.0.0.1", T0)
        secret = mfa.begin_enrolment(conn, session.id, uid, T0)
        assert secret is not None
        codes = mfa.confirm_enrolment(
            conn, s, session.id, uid, code(secret, T0), remote_addr=None, now=T0
        )
    assert isinstance(codes, list)
    return uid, secret, codes


def password_step(db: Backend, at: datetime, username: str = "alice") -> auth.WebSession:
    with db.engine.begin() as conn:
        session = auth.create_session(conn, "127.0.0.1", at)
        result = auth.login(conn, settings(db), session, username, PASSWORD, "127.0.0.1", at)
    assert result.mfa_pending is not None and result.session is None
    assert result.mfa_pending.id == session.id and result.mfa_pending.token != session.token
    return result.mfa_pending


def code_step(db: Backend, session: auth.WebSession, typed: str, at: datetime) -> object:
    with db.engine.begin() as conn:
        return auth.login_with_code(conn, settings(db), session, typed, "127.0.0.1", at)


def audits(db: Backend) -> list[str]:
    with db.engine.connect() as conn:
        return list(conn.execute(sa.select(audit.c.details).order_by(audit.c.id)).scalars())


def test_enrolment_stores_secret_and_hashed_codes(db: Backend, cli: Cli) -> None:
    uid, secret, codes = enrol(db, cli)
    assert len(codes) == mfa.RECOVERY_CODE_COUNT and len(set(codes)) == len(codes)
    with db.engine.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.id == uid)).one()
        hashes = list(conn.execute(sa.select(mfa_recovery_codes.c.code_hash)).scalars())
    assert row.mfa_method == "totp" and row.mfa_secret_key == secret
    assert not set(codes) & set(hashes)  # stored hashed, never plainly
    assert any("enrolled" in line for line in audits(db))


def test_enrolment_with_a_wrong_code_changes_nothing(db: Backend, cli: Cli) -> None:
    cli("user", "add", "alice", "--password", PASSWORD)
    with db.engine.begin() as conn:
        uid = conn.execute(sa.select(users.c.id)).scalar_one()
        session = auth.create_session(conn, None, T0)
        secret = mfa.begin_enrolment(conn, session.id, uid, T0)
        assert secret is not None
        wrong = code(secret, T0, steps=5)
        out = mfa.confirm_enrolment(
            conn, settings(db), session.id, uid, wrong, remote_addr=None, now=T0
        )
        assert isinstance(out, str) and "does not match" in out
        assert not mfa.status(conn, uid).enrolled
        # Still pending: the right code then works.
        assert isinstance(
            mfa.confirm_enrolment(
                conn, settings(db), session.id, uid, code(secret, T0), remote_addr=None, now=T0
            ),
            list,
        )
    assert any("wrong confirmation code" in line for line in audits(db))


def test_enrolment_expires(db: Backend, cli: Cli) -> None:
    cli("user", "add", "alice", "--password", PASSWORD)
    later = T0 + timedelta(seconds=601)
    with db.engine.begin() as conn:
        uid = conn.execute(sa.select(users.c.id)).scalar_one()
        session = auth.create_session(conn, None, T0)
        secret = mfa.begin_enrolment(conn, session.id, uid, T0)
        assert secret is not None
        out = mfa.confirm_enrolment(
            conn, settings(db), session.id, uid, code(secret, later), remote_addr=None, now=later
        )
    assert out == "The set-up has expired; start again."


def test_login_needs_the_code_and_refuses_a_replay(db: Backend, cli: Cli) -> None:
    _, secret, _ = enrol(db, cli)
    t1 = T0 + timedelta(minutes=5)
    session = password_step(db, t1)
    ok = code_step(db, session, code(secret, t1), t1)
    assert isinstance(ok, auth.WebSession) and ok.user_id is not None
    # The same code again (same step, new login): refused.
    session = password_step(db, t1)
    again = code_step(db, session, code(secret, t1), t1 + timedelta(seconds=5))
    assert isinstance(again, mfa.CodeCheck) and again.error == mfa.WRONG_CODE
    # The previous step's code is older than the one used: refused too.
    older = code_step(db, session, code(secret, t1, steps=-1), t1)
    assert isinstance(older, mfa.CodeCheck) and older.user_id is None
    # The next step's code (clock drift): accepted once.
    nxt = code_step(db, session, code(secret, t1, steps=1), t1)
    assert isinstance(nxt, auth.WebSession)
    assert any("replayed code" in line for line in audits(db))


def test_codes_two_steps_away_are_refused(db: Backend, cli: Cli) -> None:
    _, secret, _ = enrol(db, cli)
    t1 = T0 + timedelta(minutes=5)
    session = password_step(db, t1)
    for steps in (-2, 2):
        out = code_step(db, session, code(secret, t1, steps=steps), t1)
        assert isinstance(out, mfa.CodeCheck) and out.user_id is None
    assert isinstance(code_step(db, session, code(secret, t1, steps=-1), t1), auth.WebSession)


def test_recovery_code_works_once(db: Backend, cli: Cli) -> None:
    uid, _, codes = enrol(db, cli)
    t1 = T0 + timedelta(minutes=5)
    session = password_step(db, t1)
    assert isinstance(code_step(db, session, codes[0].upper(), t1), auth.WebSession)
    session = password_step(db, t1)
    reused = code_step(db, session, codes[0], t1)
    assert isinstance(reused, mfa.CodeCheck) and reused.error == mfa.WRONG_CODE
    assert isinstance(code_step(db, session, codes[1].replace("-", " "), t1), auth.WebSession)
    with db.engine.connect() as conn:
        assert mfa.recovery_codes_left(conn, uid) == mfa.RECOVERY_CODE_COUNT - 2
    assert any("Recovery code used by user: alice (9 left)" in line for line in audits(db))


def test_wrong_codes_count_as_failed_logins_and_lock(db: Backend, cli: Cli) -> None:
    """The password alone never clears the count: otherwise guessing codes has no limit."""
    _, secret, _ = enrol(db, cli)
    t1 = T0 + timedelta(minutes=5)
    session = password_step(db, t1)
    bad = "000000" if code(secret, t1) != "000000" else "111111"
    assert code_step(db, session, bad, t1) == mfa.CodeCheck(None, error=mfa.WRONG_CODE)
    session = password_step(db, t1)  # a right password: the failure stays counted
    code_step(db, session, bad, t1)
    locked = code_step(db, session, bad, t1)  # the third failure locks (threshold 3)
    assert isinstance(locked, mfa.CodeCheck) and locked.restart
    assert locked.error is not None and "locked" in locked.error
    with db.engine.connect() as conn:
        assert lockout.locked_until(conn, "alice", t1) is not None
    # Locked: even the right code is refused, and the password step too.
    with db.engine.begin() as conn:
        s2 = auth.create_session(conn, None, t1)
        refused = auth.login(conn, settings(db), s2, "alice", PASSWORD, None, t1)
    assert refused.session is None and refused.mfa_pending is None
    assert any("locked out" in line for line in audits(db))


def test_a_right_code_clears_failures(db: Backend, cli: Cli) -> None:
    _, secret, _ = enrol(db, cli)
    t1 = T0 + timedelta(minutes=5)
    session = password_step(db, t1)
    code_step(db, session, "12345x", t1)
    assert isinstance(code_step(db, session, code(secret, t1), t1), auth.WebSession)
    with db.engine.connect() as conn:
        n = conn.execute(sa.text("SELECT COUNT(*) FROM _security_login_failures")).scalar_one()
    assert n == 0


def test_pending_login_expires(db: Backend, cli: Cli) -> None:
    _, secret, _ = enrol(db, cli)
    session = password_step(db, T0)
    late = T0 + timedelta(seconds=601)
    out = code_step(db, session, code(secret, late), late)
    assert isinstance(out, mfa.CodeCheck) and out.restart and out.error == mfa.EXPIRED


def test_required_user_must_enrol_and_reset_forgets(db: Backend, cli: Cli) -> None:
    uid, _, _ = enrol(db, cli)
    cli("user", "add", "bob", "--password", PASSWORD, "--superuser")
    cli("user", "set", "bob", "--mfa-required")
    with db.engine.connect() as conn:
        bob = conn.execute(sa.select(users.c.id).where(users.c.username == "bob")).scalar_one()
        user = auth.load_user(conn, bob)
        assert user is not None and user.must_enrol_mfa
        alice = auth.load_user(conn, uid)
        assert alice is not None and not alice.must_enrol_mfa
    cli("settings", "set", "mfa-required", "yes")
    cli("user", "set", "bob", "--no-mfa-required")
    with db.engine.connect() as conn:
        user = auth.load_user(conn, bob)
        assert user is not None and user.must_enrol_mfa  # site-wide now
    cli("user", "mfa-reset", "alice")
    with db.engine.connect() as conn:
        st = mfa.status(conn, uid)
        assert not st.enrolled and st.recovery_codes_left == 0 and st.required_for_all
    # Reset: the password alone logs in (then the site rule sends her to enrol).
    with db.engine.begin() as conn:
        s = auth.create_session(conn, None, T0)
        result = auth.login(conn, settings(db), s, "alice", PASSWORD, None, T0)
    assert result.session is not None


def test_housekeeping_forgets_expired_half_way_steps(db: Backend, cli: Cli) -> None:
    from copse.accounts.housekeeping import purge
    from copse.schema.tables import mfa_pending

    enrol(db, cli)
    password_step(db, T0)
    with db.engine.begin() as conn:
        purge(conn, settings(db), T0 + timedelta(seconds=60))
        assert conn.execute(sa.select(sa.func.count()).select_from(mfa_pending)).scalar_one() == 1
        purge(conn, settings(db), T0 + timedelta(seconds=601))
        assert conn.execute(sa.select(sa.func.count()).select_from(mfa_pending)).scalar_one() == 0


def test_an_enrolled_user_cannot_replace_the_key_from_a_session(db: Backend, cli: Cli) -> None:
    uid, secret, _ = enrol(db, cli)
    with db.engine.begin() as conn:
        session = auth.create_session(conn, None, T0)
        assert mfa.begin_enrolment(conn, session.id, uid, T0) is None
        out = mfa.confirm_enrolment(
            conn, settings(db), session.id, uid, code(secret, T0, 1), remote_addr=None, now=T0
        )
        assert out == mfa.ALREADY_ON
        assert conn.execute(sa.select(users.c.mfa_secret_key)).scalar_one() == secret


def test_a_tablet_login_does_not_clear_wrong_codes(db: Backend, cli: Cli) -> None:
    """Else the password alone, through the client API, would allow unlimited code guesses."""
    from copse.accounts.login import check_login

    _, secret, _ = enrol(db, cli)
    t1 = T0 + timedelta(minutes=5)
    session = password_step(db, t1)
    code_step(db, session, "000000" if code(secret, t1) != "000000" else "111111", t1)
    with db.engine.begin() as conn:
        ok = check_login(
            conn, settings(db), "alice", PASSWORD, source="tablet", remote_addr=None, now=t1
        )
        assert ok.user_id is not None
        n = conn.execute(sa.text("SELECT COUNT(*) FROM _security_login_failures")).scalar_one()
    assert n == 1


def test_the_same_code_in_two_concurrent_logins_wins_once(db: Backend, cli: Cli) -> None:
    """Two sessions send the same code at once: the conditional UPDATE lets one win.

    The first transaction claims the step and is still open when the second
    (another connection, as another server process would be) is started with
    the same code; it cannot see or overwrite the claim before the commit, and
    after it the step is taken: exactly one login succeeds.
    """
    import threading

    _, secret, _ = enrol(db, cli)
    t1 = T0 + timedelta(minutes=5)
    s1, s2 = password_step(db, t1), password_step(db, t1)
    typed = code(secret, t1)
    outcomes: list[object] = []
    with db.engine.begin() as conn:
        outcomes.append(auth.login_with_code(conn, settings(db), s1, typed, None, t1))
        second = threading.Thread(target=lambda: outcomes.append(code_step(db, s2, typed, t1)))
        second.start()  # blocks on the row (or SQLite's write lock) until this commits
    second.join()
    wins = [o for o in outcomes if isinstance(o, auth.WebSession)]
    assert len(wins) == 1 and isinstance(outcomes[1], mfa.CodeCheck)
