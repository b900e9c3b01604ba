"""Disabling and deleting users, group visibility and deletion, deleting ID
number types (refused while in use).  Every change is audited."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from copse.schema.tables import audit, group_group, groups, idnum_definitions, users
from tests.web.conftest import PASSWORD, World, csrf_of, login

pytestmark = pytest.mark.sqlite_only  # backend-neutral: see tests/conftest.py


def _uid(world: World, name: str) -> int | None:
    with world.db.engine.connect() as conn:
        return conn.execute(sa.select(users.c.id).where(users.c.username == name)).scalar()


def _audits(world: World) -> list[str]:
    with world.db.engine.connect() as conn:
        return [
            str(d) for d in conn.execute(sa.select(audit.c.details).order_by(audit.c.id)).scalars()
        ]


def test_disable_and_delete_users(world: World) -> None:
    root = world.logged_in("root")
    token = csrf_of(root.get("/admin/users").text)
    root.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "username": "carol",
            "password": PASSWORD,
            "group_id": str(world.group_a),
        },
    )
    carol = _uid(world, "carol")
    alice = _uid(world, "alice")
    assert carol is not None and alice is not None
    # alice registered a device and added records: she can only be disabled.
    page = root.get(f"/admin/users/{alice}").text
    assert "be deleted: they registered or are uploading from a device" in page
    r = root.post(f"/admin/users/{alice}", data={"csrf_token": token, "action": "delete"})
    assert r.status_code == 400 and "disable them instead" in r.text
    alice_client = world.logged_in("alice")
    r = root.post(f"/admin/users/{alice}", data={"csrf_token": token, "action": "disable"})
    assert r.status_code == 200 and "Disabled" in r.text
    assert alice_client.get("/tasks").status_code == 303  # her session has ended
    assert login(world.client(), "alice").status_code == 200  # no password works
    assert "disabled" in root.get("/admin/users").text
    # A new password enables her again.
    root.post(
        f"/admin/users/{alice}",
        data={
            "csrf_token": token,
            "action": "password",
            "new_password": "a-fresh-password",
            "new_password2": "a-fresh-password",
        },
    )
    assert login(world.client(), "alice", "a-fresh-password").status_code == 303
    # carol did nothing yet: she can be deleted.
    r = root.post(f"/admin/users/{carol}", data={"csrf_token": token, "action": "delete"})
    assert r.status_code == 303 and _uid(world, "carol") is None
    # Nobody deletes themselves; a group admin can't touch users of other groups.
    me = _uid(world, "root")
    assert (
        root.post(f"/admin/users/{me}", data={"csrf_token": token, "action": "delete"}).status_code
        == 403
    )
    adminb = world.logged_in("adminb")
    t2 = csrf_of(adminb.get("/admin/users").text)
    assert (
        adminb.post(
            f"/admin/users/{alice}", data={"csrf_token": t2, "action": "disable"}
        ).status_code
        == 404
    )
    texts = _audits(world)
    for entry in (
        "User disabled: alice",
        "User deleted: carol",
        "Password set by administrator for user: alice",
    ):
        assert entry in texts, entry


def test_group_visibility_and_deletion(world: World) -> None:
    root = world.logged_in("root")
    token = csrf_of(root.get("/admin/groups").text)
    alice = world.logged_in("alice")
    assert alice.get(f"/tasks/phq9/{world.task_b}").status_code == 404
    url = f"/admin/groups/{world.group_a}"
    pol = {
        "csrf_token": token,
        "upload_policy": "sex AND idnum1",
        "finalize_policy": "sex AND idnum1",
    }
    r = root.post(url, data={**pol, "can_see": str(world.group_b)})
    assert r.status_code == 200 and "Saved." in r.text
    assert re.search(rf'name="can_see" value="{world.group_b}" checked', root.get(url).text)
    with world.db.engine.connect() as conn:
        assert conn.execute(
            sa.select(group_group.c.can_see_group_id).where(group_group.c.group_id == world.group_a)
        ).scalars().all() == [world.group_b]
    # alice now sees group B's task (visibility is read when the user is loaded).
    assert world.logged_in("alice").get(f"/tasks/phq9/{world.task_b}").status_code == 200
    assert root.post(url, data=pol).status_code == 200  # none ticked: visibility removed
    assert world.logged_in("alice").get(f"/tasks/phq9/{world.task_b}").status_code == 404
    # A group in use can't be deleted; an unused one can.
    r = root.post(url, data={"csrf_token": token, "action": "delete"})
    assert r.status_code == 400 and "can&#39;t be deleted because it has members" in r.text
    r = root.post("/admin/groups", data={"csrf_token": token, "name": "spare"})
    spare = r.headers["location"]
    assert (
        root.post(
            spare, data={**pol, "ip_clinical": "1", "can_see": str(world.group_a)}
        ).status_code
        == 200
    )
    assert root.post(spare, data={"csrf_token": token, "action": "delete"}).status_code == 303
    with world.db.engine.connect() as conn:
        assert conn.execute(sa.select(groups.c.id).where(groups.c.name == "spare")).first() is None
    assert "Group deleted: spare" in _audits(world)


def test_idnum_definition_deletion(world: World) -> None:
    root = world.logged_in("root")
    token = csrf_of(root.get("/admin/idnums").text)
    # Type 1 is used by patients: refused.
    r = root.post(
        "/admin/idnums", data={"csrf_token": token, "action": "delete", "which_idnum": "1"}
    )
    assert r.status_code == 400 and "patients have ID numbers of this type" in r.text
    add = {"csrf_token": token, "action": "add", "validation_method": ""}
    root.post(
        "/admin/idnums",
        data={**add, "which_idnum": "3", "description": "Three", "short_description": "3#"},
    )
    root.post(
        "/admin/idnums",
        data={**add, "which_idnum": "4", "description": "Four", "short_description": "4#"},
    )
    with world.db.engine.begin() as conn:
        conn.execute(
            sa.update(groups)
            .where(groups.c.id == world.group_b)
            .values(upload_policy="sex AND idnum3")
        )
    r = root.post(
        "/admin/idnums", data={"csrf_token": token, "action": "delete", "which_idnum": "3"}
    )
    assert r.status_code == 400 and "the ID policies of group groupb use it" in r.text
    r = root.post(
        "/admin/idnums", data={"csrf_token": token, "action": "delete", "which_idnum": "4"}
    )
    assert r.status_code == 303
    with world.db.engine.connect() as conn:
        left = conn.execute(
            sa.select(idnum_definitions.c.which_idnum).order_by(idnum_definitions.c.which_idnum)
        )
        assert left.scalars().all() == [1, 3]
    assert "ID number definition deleted: 4" in _audits(world)
    assert (
        world.logged_in("adminb")
        .post("/admin/idnums", data={"csrf_token": token, "action": "delete", "which_idnum": "3"})
        .status_code
        == 403
    )
