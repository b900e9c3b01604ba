"""The admin CLI against real databases: what it creates, and its one-line errors."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from copse.accounts.passwords import check_password
from copse.schema.tables import groups, idnum_definitions, memberships, server_settings, users
from tests.support.databases import Backend


def test_user_group_idnum_round_trip(cli, db: Backend) -> None:
    cli("group", "add", "ward1", "--description", "Ward one")
    cli("group", "add", "ward2")
    cli(
        "idnum",
        "add",
        "1",
        "--description",
        "NHS number",
        "--short-description",
        "NHS#",
        "--validation-method",
        "uk_nhs_number",
    )
    cli("idnum", "add", "2", "--description", "Hospital number", "--short-description", "H#")
    cli(
        "user",
        "add",
        "alice",
        "--password",
        "a-long-password",
        "--group",
        "ward1",
        "--group",
        "ward2",
        "--upload-group",
        "ward2",
        "--may-upload",
        "--may-register-devices",
    )
    cli("user", "set", "alice", "--group", "ward1", "--group-admin")
    cli("settings", "set", "database-title", "My CamCOPS")
    with db.engine.connect() as conn:
        u = conn.execute(sa.select(users).where(users.c.username == "alice")).one()
        g2 = conn.execute(sa.select(groups.c.id).where(groups.c.name == "ward2")).scalar()
        assert u.upload_group_id == g2
        assert check_password("a-long-password", u.hashedpw)
        ms = {
            m.group_id: m
            for m in conn.execute(sa.select(memberships).where(memberships.c.user_id == u.id))
        }
        assert len(ms) == 2 and all(m.may_upload and m.may_register_devices for m in ms.values())
        assert sum(bool(m.groupadmin) for m in ms.values()) == 1
        defs = conn.execute(
            sa.select(idnum_definitions).order_by(idnum_definitions.c.which_idnum)
        ).all()
        assert [(d.which_idnum, d.validation_method) for d in defs] == [
            (1, "uk_nhs_number"),
            (2, ""),
        ]
        assert conn.execute(sa.select(server_settings.c.database_title)).scalar() == "My CamCOPS"
    out = cli("user", "list")
    assert "alice" in out and "upload_group=ward2" in out
    assert "NHS number" in cli("idnum", "list")
    assert "ward1" in cli("group", "list")


def test_password_change(cli, db: Backend) -> None:
    cli("user", "add", "bob", "--password", "first-password")
    cli("user", "passwd", "bob", "--password", "second-password")
    with db.engine.connect() as conn:
        h = conn.execute(sa.select(users.c.hashedpw).where(users.c.username == "bob")).scalar()
    assert check_password("second-password", h) and not check_password("first-password", h)


def test_clear_errors_for_bad_input(cli, db: Backend) -> None:
    cli("group", "add", "ward1")
    assert "already exists" in cli("group", "add", "ward1", ok=False)
    assert "Invalid group name" in cli("group", "add", "bad name!", ok=False)
    assert "No such group" in cli(
        "user", "add", "x", "--password", "pw-long-enough", "--group", "nope", ok=False
    )
    assert "reserved" in cli("user", "add", "system", "--password", "pw-long-enough", ok=False)
    assert "Invalid username" in cli(
        "user", "add", "bad user", "--password", "pw-long-enough", ok=False
    )
    cli("user", "add", "x", "--password", "pw-long-enough")
    assert "already exists" in cli("user", "add", "x", "--password", "pw-long-enough", ok=False)
    assert "No such user" in cli(
        "user", "passwd", "ghost", "--password", "pw-long-enough", ok=False
    )
    cli("idnum", "add", "1", "--description", "NHS number", "--short-description", "NHS#")
    assert "ID# clashes" in cli(
        "idnum", "add", "1", "--description", "Other", "--short-description", "O", ok=False
    )
    assert "Description is used" in cli(
        "idnum", "add", "2", "--description", "NHS number", "--short-description", "O", ok=False
    )
    out = cli("idnum", "add", "0", "--description", "Zero", "--short-description", "Z", ok=False)
    assert "0" in out
    assert "Traceback" not in out


def test_policies_are_stored_verbatim(cli, db: Backend) -> None:
    cli("idnum", "add", "1", "--description", "NHS number", "--short-description", "NHS#")
    cli("group", "add", "ward1")
    policy = "sex AND ((forename AND surname AND dob) OR idnum1)"
    cli("group", "set-policy", "ward1", "--upload", policy, "--finalize", "sex AND idnum1")
    with db.engine.connect() as conn:
        g = conn.execute(sa.select(groups).where(groups.c.name == "ward1")).one()
    assert g.upload_policy == policy and g.finalize_policy == "sex AND idnum1"


def test_invalid_policies_are_refused(cli, db: Backend) -> None:
    from copse.policy.evaluate import INVALID_POLICY_MESSAGE, SYNTAX_INVALID_MESSAGE

    cli("idnum", "add", "1", "--description", "NHS number", "--short-description", "NHS#")
    cli("group", "add", "ward1")
    out = cli("group", "set-policy", "ward1", "--upload", "sex AND (idnum1", ok=False)
    assert SYNTAX_INVALID_MESSAGE in out
    out = cli("group", "set-policy", "ward1", "--upload", "sex AND idnum7", ok=False)
    assert INVALID_POLICY_MESSAGE in out
    with db.engine.connect() as conn:
        g = conn.execute(sa.select(groups).where(groups.c.name == "ward1")).one()
    assert g.upload_policy is None


def test_commands_close_their_database_connections(
    cli, db: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command run in-process (as here, or by a program using ``CliRunner``) leaves no
    pooled connection open: it disposes of its engine when it ends."""
    import copse.cli.common as common

    engines: list[sa.Engine] = []
    real = common.make_engine

    def recording(url: str, **kw: object) -> sa.Engine:
        engines.append(real(url, **kw))  # type: ignore[arg-type]
        return engines[-1]

    monkeypatch.setattr(common, "make_engine", recording)
    for _ in range(3):
        cli("group", "list")
    cli("group", "add", "closers")
    assert len(engines) == 4
    assert [e.pool.checkedin() + e.pool.checkedout() for e in engines] == [0, 0, 0, 0]
