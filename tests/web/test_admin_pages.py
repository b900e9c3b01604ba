"""Users, groups, ID number definitions, devices' history and server-created patients."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from copse.schema.tables import groups, idnum_definitions, memberships, users
from tests.web.conftest import PASSWORD, World, csrf_of, login
from tests.web.consistency import assert_consistent

pytestmark = pytest.mark.sqlite_only  # backend-neutral: see tests/conftest.py


def _uid(world: World, name: str) -> int:
    with world.db.engine.connect() as conn:
        return int(conn.execute(sa.select(users.c.id).where(users.c.username == name)).scalar_one())


def test_users_add_edit_password_unlock(world: World) -> None:
    root = world.logged_in("root")
    page = root.get("/admin/users")
    assert page.status_code == 200 and "alice" in page.text
    token = csrf_of(page.text)
    r = root.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "username": "carol",
            "password": "short",
            "group_id": str(world.group_a),
        },
    )
    assert r.status_code == 400 and "Passwords can&#39;t be shorter than 10 characters" in r.text
    r = root.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "username": "carol",
            "password": PASSWORD,
            "group_id": str(world.group_a),
        },
    )
    assert r.status_code == 303
    carol = _uid(world, "carol")
    data = {
        "csrf_token": token,
        "action": "memberships",
        f"{world.group_a}:member": "1",
        f"{world.group_a}:may_add_notes": "1",
        f"{world.group_a}:may_use_webviewer": "1",
        "upload_group_id": str(world.group_a),
    }
    assert root.post(f"/admin/users/{carol}", data=data).status_code == 200
    with world.db.engine.connect() as conn:
        m = conn.execute(sa.select(memberships).where(memberships.c.user_id == carol)).one()
    assert m.may_add_notes and not m.groupadmin
    r = root.post(
        f"/admin/users/{carol}",
        data={
            "csrf_token": token,
            "action": "password",
            "new_password": "another-long-pass",
            "new_password2": "another-long-pass",
        },
    )
    assert r.status_code == 200 and "Password set." in r.text
    # Lock alice out, then unlock her.
    c = world.client()
    for _ in range(3):
        login(c, "alice", "wrong-password!")
    assert "locked" in root.get("/admin/users").text
    r = root.post(
        f"/admin/users/{_uid(world, 'alice')}", data={"csrf_token": token, "action": "unlock"}
    )
    assert "Unlocked." in r.text
    assert login(world.client(), "alice").status_code == 303


def test_group_admin_scope_for_users(world: World) -> None:
    adminb = world.logged_in("adminb")
    text = adminb.get("/admin/users").text
    assert "bob" in text and "alice" not in text and "root" not in text
    assert adminb.get(f"/admin/users/{_uid(world, 'alice')}").status_code == 404
    assert adminb.get(f"/admin/users/{_uid(world, 'root')}").status_code == 404
    token = csrf_of(text)
    # Can't add users to group A, nor make anyone superuser.
    r = adminb.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "username": "dave",
            "password": PASSWORD,
            "group_id": str(world.group_a),
        },
    )
    assert r.status_code == 400
    bob = _uid(world, "bob")
    adminb.post(
        f"/admin/users/{bob}",
        data={
            "csrf_token": token,
            "action": "memberships",
            "superuser": "1",
            f"{world.group_b}:member": "1",
            f"{world.group_b}:may_upload": "1",
            f"{world.group_a}:member": "1",
        },
    )
    with world.db.engine.connect() as conn:
        assert not conn.execute(sa.select(users.c.superuser).where(users.c.id == bob)).scalar_one()
        gs = set(
            conn.execute(
                sa.select(memberships.c.group_id).where(memberships.c.user_id == bob)
            ).scalars()
        )
    assert gs == {world.group_b}
    # Groups and ID numbers are superuser-only.
    for url in ("/admin/groups", f"/admin/groups/{world.group_b}", "/admin/idnums"):
        assert adminb.get(url).status_code == 403


def test_groups_policies_and_ip_use(world: World) -> None:
    root = world.logged_in("root")
    token = csrf_of(root.get("/admin/groups").text)
    assert (
        root.post("/admin/groups", data={"csrf_token": token, "name": "bad name!"}).status_code
        == 400
    )
    r = root.post("/admin/groups", data={"csrf_token": token, "name": "groupc", "description": "C"})
    assert r.status_code == 303
    url = r.headers["location"]
    r = root.post(
        url, data={"csrf_token": token, "upload_policy": "sex AND (", "finalize_policy": "idnum7"}
    )
    assert r.status_code == 400 and r.text.count('class="error"') == 2
    r = root.post(
        url,
        data={
            "csrf_token": token,
            "upload_policy": "sex AND idnum1",
            "finalize_policy": "sex AND forename AND surname AND dob AND idnum1",
            "ip_research": "1",
        },
    )
    assert r.status_code == 200 and "Saved." in r.text
    with world.db.engine.connect() as conn:
        g = conn.execute(sa.select(groups).where(groups.c.name == "groupc")).one()
    assert g.upload_policy == "sex AND idnum1" and not g.check_policy_on_upload
    assert 'name="ip_research" value="1" checked' in root.get(url).text


def test_idnum_definitions(world: World) -> None:
    root = world.logged_in("root")
    token = csrf_of(root.get("/admin/idnums").text)
    add = {"csrf_token": token, "action": "add", "validation_method": ""}
    r = root.post(
        "/admin/idnums",
        data={**add, "which_idnum": "1", "description": "NHS number", "short_description": "NHS#"},
    )
    assert r.status_code == 400
    for msg in (
        "ID# clashes with another ID number!",
        "Description is used by another ID number!",
        "Short description is used by another ID number!",
    ):
        assert msg in r.text
    assert (
        root.post(
            "/admin/idnums",
            data={**add, "which_idnum": "0", "description": "x", "short_description": "y"},
        ).status_code
        == 400
    )
    r = root.post(
        "/admin/idnums",
        data={**add, "which_idnum": "2", "description": "RiO", "short_description": "RiO#"},
    )
    assert r.status_code == 303
    r = root.post(
        "/admin/idnums",
        data={
            **add,
            "action": "edit",
            "which_idnum": "2",
            "description": "RiO number",
            "short_description": "RiO#",
            "validation_method": "uk_nhs_number",
        },
    )
    assert r.status_code == 303
    with world.db.engine.connect() as conn:
        d = conn.execute(
            sa.select(idnum_definitions).where(idnum_definitions.c.which_idnum == 2)
        ).one()
    assert (d.description, d.validation_method) == ("RiO number", "uk_nhs_number")


def test_server_patients_and_schedules(world: World) -> None:
    with world.db.engine.begin() as conn:
        conn.execute(
            sa.update(groups)
            .where(groups.c.id == world.group_a)
            .values(finalize_policy="sex AND forename AND surname AND dob AND idnum1")
        )
    root = world.logged_in("root")
    page = root.get("/admin/server-patients")
    assert page.status_code == 200
    token = csrf_of(page.text)
    base = {
        "csrf_token": token,
        "group_id": str(world.group_a),
        "action": "patient",
        "forename": "Sam",
        "surname": "Server",
        "dob": "1999-09-09",
        "sex": "M",
    }
    r = root.post("/admin/server-patients", data={**base, "idnum1": "abc"})
    assert r.status_code == 400 and "is invalid" in r.text
    r = root.post("/admin/server-patients", data={**base, "idnum1": "9434765919"})
    assert r.status_code == 303, r.text
    text = root.get("/admin/server-patients").text
    assert "Server, Sam" in text and "idnum1 = 9434765919" in text
    key = text.split('class="access-key">')[1].split("<")[0]
    assert len(key.split("-")) == 9  # a proquint access key
    assert_consistent(world.db.engine)
    r = root.post(
        "/admin/server-patients",
        data={
            "csrf_token": token,
            "group_id": str(world.group_a),
            "action": "schedule",
            "name": "Weekly",
            "table": "phq9",
            "due_from": "0",
            "due_within": "7",
        },
    )
    assert r.status_code == 303
    assert "phq9 from day 0, within 7 days" in root.get("/admin/server-patients").text
    # alice may not manage patients.
    assert world.logged_in("alice").get("/admin/server-patients").status_code == 403


def test_device_history_from_audit(world: World) -> None:
    root = world.logged_in("root")
    token = csrf_of(root.get(f"/admin/finalize/{world.device_a}").text)
    root.post(f"/admin/finalize/{world.device_a}", data={"csrf_token": token})
    assert f"/devices/{world.device_a}/uploads" in root.get("/devices").text
    r = root.get(f"/devices/{world.device_a}/uploads")
    assert r.status_code == 200 and "forcibly finalized" in r.text
    assert world.logged_in("adminb").get(f"/devices/{world.device_a}/uploads").status_code == 404
    assert world.logged_in("alice").get(f"/devices/{world.device_a}/uploads").status_code == 403
