"""Group isolation and administrator-only pages."""

from __future__ import annotations

import sqlalchemy as sa

from copse.schema.tables import group_group
from tests.web import factories as fx
from tests.web.conftest import World


def test_user_of_group_a_never_sees_group_b(world: World) -> None:
    c = world.logged_in("alice")
    listing = c.get("/tasks").text
    assert "Alpha" in listing and "Beta" not in listing
    assert f"/tasks/phq9/{world.task_b}" not in listing
    # By direct URL: "not found", exactly as for a PK that doesn't exist.
    for url in (f"/tasks/phq9/{world.task_b}", f"/patients/{world.patient_b}", "/tasks/phq9/99999"):
        r = c.get(url)
        assert r.status_code == 404 and "Beta" not in r.text and "<html" in r.text
    # By filter: widening to group B or naming B's patient finds nothing.
    for q in (
        f"group_id={world.group_b}",
        "surname=Beta",
        "which_idnum=1&idnum_value=9000000002",
        f"device_id={world.device_b}",
    ):
        r = c.get(f"/tasks?{q}")
        assert r.status_code == 200 and "0 tasks" in r.text and "Ben" not in r.text
    # The filter form's choices don't leak group B's names either.
    assert "groupb" not in listing and "tab-b" not in listing and ">bob<" not in listing


def test_blobs_of_other_groups_are_not_served(world: World) -> None:
    with world.db.engine.begin() as conn:
        pk_b = fx.make_row(
            conn,
            "blobs",
            device_id=world.device_b,
            group_id=world.group_b,
            id=1,
            tablename="photo",
            tablepk=1,
            fieldname="photo_blobid",
            mimetype="image/png",
            theblob=b"\x89PNG fake",
        )
        pk_a = fx.make_row(
            conn,
            "blobs",
            device_id=world.device_a,
            group_id=world.group_a,
            id=1,
            tablename="photo",
            tablepk=1,
            fieldname="photo_blobid",
            mimetype="text/html",
            theblob=b"<script>alert(1)</script>",
        )
    c = world.logged_in("alice")
    assert c.get(f"/blobs/{pk_b}").status_code == 404
    r = c.get(f"/blobs/{pk_a}")  # visible, but never served as HTML
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.headers["content-disposition"].startswith("attachment")
    assert world.logged_in("bob").get(f"/blobs/{pk_b}").headers["content-type"] == "image/png"


def test_group_visibility_grants_sight_of_another_group(world: World) -> None:
    with world.db.engine.begin() as conn:
        conn.execute(
            sa.insert(group_group).values(group_id=world.group_a, can_see_group_id=world.group_b)
        )
    c = world.logged_in("alice")
    assert "Beta" in c.get("/tasks").text
    assert c.get(f"/tasks/phq9/{world.task_b}").status_code == 200
    assert world.logged_in("bob").get(f"/tasks/phq9/{world.task_a}").status_code == 404


def test_superuser_sees_everything(world: World) -> None:
    c = world.logged_in("root")
    text = c.get("/tasks").text
    assert "Alpha" in text and "Beta" in text
    assert c.get(f"/patients/{world.patient_b}").status_code == 200


def test_non_admins_get_403_pages_on_admin_pages(world: World) -> None:
    c = world.logged_in("alice")
    for url in ("/audit", "/devices", "/audit?text=x"):
        r = c.get(url)
        assert r.status_code == 403
        assert "Only administrators" in r.text and "Traceback" not in r.text
    text = c.get("/tasks").text
    assert 'href="/audit"' not in text


def test_group_admin_sees_only_their_groups_activity(world: World) -> None:
    world.logged_in("alice")  # audited: "Login as user: alice"
    world.logged_in("bob")
    c = world.logged_in("adminb")
    r = c.get("/audit")
    assert r.status_code == 200
    assert "Login as user: bob" in r.text and "Login as user: alice" not in r.text
    devices = c.get("/devices").text
    assert "tab-b" in devices and "tab-a" not in devices
    root = world.logged_in("root")
    assert "Login as user: alice" in root.get("/audit").text
    assert "tab-a" in root.get("/devices").text
