"""Editing and deleting server-created patients, changing task schedules, the
patient page via the index, hostile strings on these pages.  Every change is
audited and leaves the indexes exact."""

from __future__ import annotations

import re

import sqlalchemy as sa

from copse.schema.tables import (
    CLIENT_TABLES,
    audit,
    groups,
    patient_task_schedule,
    task_schedule,
    task_schedule_item,
    users,
)
from tests.web.conftest import World, csrf_of
from tests.web.consistency import assert_consistent


def _uid(world: World, name: str) -> int | None:
    with world.db.engine.connect() as conn:
        return conn.execute(sa.select(users.c.id).where(users.c.username == name)).scalar()


def _audits(world: World) -> list[str]:
    with world.db.engine.connect() as conn:
        return [
            str(d) for d in conn.execute(sa.select(audit.c.details).order_by(audit.c.id)).scalars()
        ]


def _server_patient(world: World, root: object, token: str) -> int:
    with world.db.engine.begin() as conn:
        conn.execute(
            sa.update(groups).values(
                finalize_policy="sex AND forename AND surname AND dob AND idnum1"
            )
        )
    r = root.post(
        "/admin/server-patients",
        data={  # type: ignore[attr-defined]
            "csrf_token": token,
            "group_id": str(world.group_a),
            "action": "patient",
            "forename": "Sam",
            "surname": "Server",
            "dob": "1999-09-09",
            "sex": "M",
            "idnum1": "9434765919",
        },
    )
    assert r.status_code == 303, r.text
    p = CLIENT_TABLES["patient"]
    with world.db.engine.connect() as conn:
        return int(conn.execute(sa.select(p.c._pk).where(p.c.surname == "Server")).scalar_one())


def test_edit_server_created_patient(world: World) -> None:
    root = world.logged_in("root")
    token = csrf_of(root.get("/admin/server-patients").text)
    pk = _server_patient(world, root, token)
    key_before = (
        root.get("/admin/server-patients").text.split('class="access-key">')[1].split("<")[0]
    )
    url = f"/admin/server-patients/{pk}/edit"
    assert 'value="Sam"' in root.get(url).text
    form = {
        "csrf_token": token,
        "group_id": str(world.group_b),
        "forename": "Samuel",
        "surname": "Server",
        "dob": "1999-09-09",
        "sex": "M",
        "idnum1": "9000000009",
    }
    r = root.post(url, data={**form, "sex": "Q"})
    assert r.status_code == 400 and "Bad sex value" in r.text
    r = root.post(url, data=form)
    assert r.status_code == 303, r.text
    p, i = CLIENT_TABLES["patient"], CLIENT_TABLES["patient_idnum"]
    with world.db.engine.connect() as conn:
        row = conn.execute(sa.select(p).where(p.c._pk == pk)).one()  # changed in place: same _pk
        ids = conn.execute(
            sa.select(i.c.idnum_value, i.c._current, i.c._group_id)
            .where(i.c.patient_id == row.id, i.c._device_id == row._device_id)
            .order_by(i.c._pk)
        ).all()
    assert (row.forename, row._group_id, row._current) == ("Samuel", world.group_b, True)
    assert [tuple(x) for x in ids] == [
        (9434765919, False, world.group_b),
        (9000000009, True, world.group_b),
    ]
    text = root.get("/admin/server-patients").text
    assert key_before in text and "idnum1 = 9000000009" in text  # the access key is unchanged
    assert "Patient edited" in _audits(world)
    page = root.get(f"/patients/{pk}").text
    assert "Patient details edited" in page and "forename: &#39;Sam&#39; → &#39;Samuel&#39;" in page
    assert_consistent(world.db.engine, filters=None)
    # Group B's administrator now manages it; alice (no right to manage patients) may not.
    assert world.logged_in("adminb").get(url).status_code == 200
    assert world.logged_in("alice").get(url).status_code == 403
    # A tablet's patient is not a server-created one.
    assert root.get(f"/admin/server-patients/{world.patient_a}/edit").status_code == 404


def test_schedules_and_deleting_a_server_patient(world: World) -> None:
    root = world.logged_in("root")
    token = csrf_of(root.get("/admin/server-patients").text)
    pk = _server_patient(world, root, token)
    base = {"csrf_token": token, "group_id": str(world.group_a)}
    root.post(
        "/admin/server-patients",
        data={
            **base,
            "action": "schedule",
            "name": "Weekly",
            "table": "phq9",
            "due_from": "0",
            "due_within": "7",
        },
    )
    with world.db.engine.connect() as conn:
        sid = int(conn.execute(sa.select(task_schedule.c.id)).scalar_one())
    s_url = f"/admin/schedules/{sid}"
    assert (
        root.post(
            s_url,
            data={
                "csrf_token": token,
                "action": "add_item",
                "table": "bmi",
                "due_from": "7",
                "due_within": "14",
            },
        ).status_code
        == 303
    )
    assert (
        root.post(
            s_url, data={"csrf_token": token, "action": "rename", "name": "Fortnightly"}
        ).status_code
        == 303
    )
    with world.db.engine.connect() as conn:
        items = dict(
            conn.execute(
                sa.select(task_schedule_item.c.task_table_name, task_schedule_item.c.id)
            ).all()
        )
    assert set(items) == {"phq9", "bmi"}
    root.post(
        s_url, data={"csrf_token": token, "action": "delete_item", "item_id": str(items["phq9"])}
    )
    text = root.get("/admin/server-patients").text
    assert (
        "Fortnightly" in text
        and "bmi from day 7, within 14 days" in text
        and "phq9 from day" not in text
    )
    root.post(
        "/admin/server-patients",
        data={**base, "action": "assign", "patient_pk": str(pk), "schedule_id": str(sid)},
    )
    # An assigned schedule can't be deleted, nor the patient moved to another group.
    r = root.post(s_url, data={"csrf_token": token, "action": "delete"})
    assert r.status_code == 400 and "assigned to 1 patient" in r.text
    r = root.post(
        f"/admin/server-patients/{pk}/edit",
        data={
            "csrf_token": token,
            "group_id": str(world.group_b),
            "forename": "Sam",
            "surname": "Server",
            "dob": "1999-09-09",
            "sex": "M",
            "idnum1": "9434765919",
        },
    )
    assert r.status_code == 400 and "task schedules" in r.text
    # adminb (group B) may not touch group A's schedules.
    adminb = world.logged_in("adminb")
    assert (
        adminb.post(
            s_url, data={"csrf_token": csrf_of(adminb.get("/tasks").text), "action": "delete"}
        ).status_code
        == 404
    )
    # Delete the patient: preview first, then confirm.
    preview = root.get(f"/admin/server-patients/{pk}/delete")
    assert (
        preview.status_code == 200
        and "Fortnightly" in preview.text
        and "9434765919" in preview.text
    )
    r = root.post(f"/admin/server-patients/{pk}/delete", data={"csrf_token": token})
    assert r.status_code == 303
    p, i = CLIENT_TABLES["patient"], CLIENT_TABLES["patient_idnum"]
    with world.db.engine.connect() as conn:
        assert conn.execute(sa.select(p.c._pk).where(p.c.surname == "Server")).first() is None
        assert conn.execute(sa.select(i.c._pk).where(i.c.idnum_value == 9434765919)).first() is None
        assert conn.execute(sa.select(patient_task_schedule.c.id)).first() is None
    assert_consistent(world.db.engine)
    assert root.post(s_url, data={"csrf_token": token, "action": "delete"}).status_code == 303
    texts = _audits(world)
    for entry in (
        f"Task schedule {sid} added",
        f"Task schedule {sid}: bmi added",
        f"Task schedule {sid} renamed",
        f"Task schedule {sid}: phq9 removed",
        f"Task schedule {sid} given to patient",
        "Server-created patient deleted (1 patient record(s))",
        f"Task schedule {sid} deleted",
    ):
        assert entry in texts, entry


def test_patient_page_via_index_and_direct(world: World) -> None:
    root = world.logged_in("root")
    pages = {
        via: root.get(f"/patients/{world.patient_a}?via={via}").text for via in ("index", "direct")
    }
    links = {
        via: re.findall(r'href="(/tasks/[a-z0-9_]+/\d+)"', text) for via, text in pages.items()
    }
    assert links["index"] == links["direct"] == [f"/tasks/phq9/{world.task_a}"]
    assert '<strong aria-current="true">via the index</strong>' in pages["index"]
    assert '<strong aria-current="true">directly from the task tables</strong>' in pages["direct"]


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>"\'&'


def test_hostile_strings_on_the_new_admin_pages(world: World) -> None:
    with world.db.engine.begin() as conn:
        conn.execute(sa.update(groups).values(finalize_policy="sex AND idnum1"))
    root = world.logged_in("root")
    token = csrf_of(root.get("/admin/server-patients").text)
    r = root.post(
        "/admin/server-patients",
        data={
            "csrf_token": token,
            "group_id": str(world.group_a),
            "action": "patient",
            "forename": XSS,
            "surname": XSS,
            "sex": "F",
            "idnum1": "9434765919",
            "email": "",
        },
    )
    assert r.status_code == 303, r.text
    root.post(
        "/admin/server-patients",
        data={
            "csrf_token": token,
            "group_id": str(world.group_a),
            "action": "schedule",
            "name": XSS,
            "table": "phq9",
        },
    )
    root.post(
        "/admin/idnums",
        data={
            "csrf_token": token,
            "action": "add",
            "which_idnum": "6",
            "description": XSS,
            "short_description": XSS + "#",
            "validation_method": "",
        },
    )
    root.post(
        f"/admin/groups/{world.group_b}",
        data={
            "csrf_token": token,
            "description": XSS,
            "upload_policy": "sex AND idnum1",
            "finalize_policy": "sex AND idnum1",
        },
    )
    p = CLIENT_TABLES["patient"]
    with world.db.engine.connect() as conn:
        pk = int(conn.execute(sa.select(p.c._pk).where(p.c.forename == XSS)).scalar_one())
    urls = [
        "/admin/server-patients",
        f"/admin/server-patients/{pk}/edit",
        f"/admin/server-patients/{pk}/delete",
        f"/admin/groups/{world.group_b}",
        f"/admin/groups/{world.group_a}",
        "/admin/idnums",
        f"/patients/{pk}",
        f"/admin/users/{_uid(world, 'bob')}",
    ]
    for url in urls:
        r = root.get(url)
        assert r.status_code == 200, url
        assert "<script>alert" not in r.text and "<img src=x" not in r.text, url
        if url not in (f"/admin/groups/{world.group_a}", f"/admin/users/{_uid(world, 'bob')}"):
            assert "&lt;script&gt;" in r.text, url  # the hostile text is shown, inert
