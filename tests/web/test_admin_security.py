"""Non-admins get 403 (never a crash) on every admin action; hostile strings stay inert."""

from __future__ import annotations

import pytest

from tests.web import factories as fx
from tests.web.conftest import World, csrf_of
from tests.web.test_manage import finalize

pytestmark = pytest.mark.sqlite_only  # backend-neutral: see tests/conftest.py

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>"\'&'


def admin_urls(world: World) -> list[str]:
    return [
        "/admin",
        "/admin/finalize",
        f"/admin/finalize/{world.device_a}",
        "/admin/delete-patient",
        "/admin/users",
        "/admin/users/1",
        "/admin/groups",
        f"/admin/groups/{world.group_a}",
        "/admin/idnums",
        f"/devices/{world.device_a}/uploads",
        "/devices",
        "/audit",
    ]


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_non_admins_get_403_on_every_admin_url(world: World, who: str) -> None:
    c = world.logged_in(who)
    token = csrf_of(c.get("/tasks").text)
    own_task = world.task_a if who == "alice" else world.task_b
    for url in admin_urls(world):
        assert c.get(url).status_code == 403, url
        r = c.post(
            url,
            data={
                "csrf_token": token,
                "action": "add",
                "confirm": "yes",
                "username": "evil",
                "password": "evil-password-1",
                "group_id": str(world.group_a),
                "which_idnum": "1",
                "idnum_value": "9000000001",
                "name": "evil",
            },
        )
        assert r.status_code in (403, 405), url
        assert "<html" in r.text
    # Record-level admin actions on their own group's records: 403 too.
    for url in (
        f"/tasks/phq9/{own_task}/erase",
        f"/patients/{world.patient_a if who == 'alice' else world.patient_b}/edit",
    ):
        assert c.get(url).status_code == 403, url
        assert c.post(url, data={"csrf_token": token, "mode": "entirely"}).status_code == 403, url
    assert c.get("/admin/server-patients").status_code == 403
    for url in (
        f"/admin/server-patients/{world.patient_a}/edit",
        f"/admin/server-patients/{world.patient_a}/delete",
    ):
        assert c.get(url).status_code == 403, url
    for url in (
        f"/admin/server-patients/{world.patient_a}/edit",
        f"/admin/server-patients/{world.patient_a}/delete",
        "/admin/schedules/1",
        "/admin/schedule-assignments/1/delete",
    ):
        r = c.post(
            url, data={"csrf_token": token, "action": "delete", "group_id": str(world.group_a)}
        )
        assert r.status_code == 403 and "<html" in r.text, url
    assert (
        c.post(
            "/admin/server-patients",
            data={"csrf_token": token, "action": "patient", "group_id": str(world.group_a)},
        ).status_code
        == 403
    )


def test_anonymous_visitors_are_sent_to_login(world: World) -> None:
    c = world.client()
    for url in admin_urls(world):
        r = c.get(url)
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), url


def test_hostile_strings_are_escaped_on_every_new_page(world: World) -> None:
    with world.db.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE _security_devices SET friendly_name = ?"
            if world.db.name == "sqlite"
            else "UPDATE _security_devices SET friendly_name = %s",
            (XSS,),
        )
        fx.make_patient(
            conn,
            device_id=world.device_a,
            group_id=world.group_a,
            client_id=7,
            forename=XSS,
            surname=XSS,
            dob="1970-01-01",
            sex="F",
            idnums={1: 9000000077},
        )
        fx.make_task(
            conn,
            "bmi",
            device_id=world.device_a,
            group_id=world.group_a,
            client_id=7,
            patient_id=7,
            when_created=XSS,
        )
        fx.make_task(
            conn,
            "photo",
            device_id=world.device_a,
            group_id=world.group_a,
            client_id=8,
            patient_id=7,
            when_created="2024-01-01T00:00:00Z",
            description=XSS,
        )
    fx.reindex(world.db.engine)
    root = world.logged_in("root")
    pages = [
        f"/admin/finalize/{world.device_a}",
        "/admin/finalize",
        "/devices",
        f"/admin/delete-patient?which_idnum=1&idnum_value=9000000077&group_id={world.group_a}",
    ]
    for url in pages:
        r = root.get(url)
        assert r.status_code == 200, url
        assert "<script>alert" not in r.text and "<img src=x" not in r.text, url
        assert "&lt;script&gt;" in r.text, url
    finalize(world, root, world.device_a)
    with world.db.engine.connect() as conn:
        pk = conn.exec_driver_sql("SELECT _pk FROM patient WHERE id = 7").scalar_one()
        photo = conn.exec_driver_sql("SELECT _pk FROM photo WHERE id = 8").scalar_one()
    token = csrf_of(root.get("/tasks").text)
    assert (
        root.post(
            "/notes/add", data={"csrf_token": token, "table": "patient", "pk": str(pk), "note": XSS}
        ).status_code
        == 303
    )
    r = root.post(
        f"/patients/{pk}/edit",
        data={
            "csrf_token": token,
            "forename": XSS,
            "surname": XSS + "2",
            "dob": "1970-01-01",
            "sex": "F",
            "idnum1": "9000000077",
        },
    )
    assert r.status_code == 303
    new_pk = r.headers["location"].rsplit("/", 1)[1]
    r2 = root.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "username": XSS,
            "password": "long-enough-pw",
            "group_id": str(world.group_a),
        },
    )
    assert r2.status_code == 400
    for url in (
        f"/patients/{new_pk}",
        f"/patients/{new_pk}/edit",
        f"/tasks/photo/{photo}/erase",
        f"/tasks/photo/{photo}",
        f"/devices/{world.device_a}/uploads",
        "/audit",
        "/admin/users",
    ):
        r = root.get(url)
        assert r.status_code == 200, url
        assert "<script>alert" not in r.text and "<img src=x" not in r.text, url
    assert "<script>alert" not in r2.text
