"""Administrators' data operations: force-finalize, erase task, delete patient.

After every data-changing action: check_index is clean and the index list
equals the direct list (data-model.md §9.7).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from copse.schema.tables import CLIENT_TABLES, audit, special_notes
from tests.web import factories as fx
from tests.web.conftest import World, csrf_of
from tests.web.consistency import assert_consistent


def audits(world: World) -> list[sa.Row]:  # type: ignore[type-arg]
    with world.db.engine.connect() as conn:
        return list(
            conn.execute(sa.select(audit).where(audit.c.source == "webviewer").order_by(audit.c.id))
        )


def row(world: World, table: str, pk: int) -> dict | None:  # type: ignore[type-arg]
    t = CLIENT_TABLES[table]
    with world.db.engine.connect() as conn:
        r = conn.execute(sa.select(t).where(t.c._pk == pk)).mappings().first()
    return dict(r) if r is not None else None


def post(c: TestClient, page_url: str, action: str, **data: str) -> object:
    token = csrf_of(c.get(page_url).text)
    return c.post(action, data={"csrf_token": token, **data})


def finalize(world: World, c: TestClient, device_id: int) -> object:
    return post(c, f"/admin/finalize/{device_id}", f"/admin/finalize/{device_id}")


def test_force_finalize_preview_then_confirm(world: World) -> None:
    c = world.logged_in("root")
    listing = c.get("/admin/finalize")
    assert listing.status_code == 200 and f"/admin/finalize/{world.device_a}" in listing.text
    preview = c.get(f"/admin/finalize/{world.device_a}")
    assert preview.status_code == 200
    text = preview.text
    # Counts per table, and the tasks themselves.
    assert '<td data-label="Table">patient</td><td data-label="Rows">1</td>' in text
    assert '<td data-label="Table">patient_idnum</td><td data-label="Rows">1</td>' in text
    assert '<td data-label="Table">phq9</td><td data-label="Rows">1</td>' in text
    assert (
        f'href="/tasks/phq9/{world.task_a}"' in text
        and "Records that will be finalized (3)" in text
    )
    assert row(world, "phq9", world.task_a)["_era"] == "NOW"  # the preview changed nothing
    # A POST without the CSRF token is refused.
    assert (
        c.post(f"/admin/finalize/{world.device_a}", data={"csrf_token": "forged"}).status_code
        == 403
    )
    assert row(world, "phq9", world.task_a)["_era"] == "NOW"
    r = finalize(world, c, world.device_a)
    assert r.status_code == 200 and "3 record(s)" in r.text
    task = row(world, "phq9", world.task_a)
    assert task["_era"] != "NOW" and task["_forcibly_preserved"] and task["_current"]
    assert row(world, "phq9", world.task_b)["_era"] == "NOW"  # other device untouched
    last = audits(world)[-1]
    assert last.details.startswith(
        f"Live records for device {world.device_a} (Tablet tab-a) forcibly finalized (PKs: "
    )
    assert_consistent(world.db.engine)
    listing = c.get("/tasks?era=finalized").text
    assert f"/tasks/phq9/{world.task_a}" in listing and f"/tasks/phq9/{world.task_b}" not in listing
    assert "nothing to finalize" in c.get(f"/admin/finalize/{world.device_a}").text


def test_force_finalize_permissions(world: World) -> None:
    # alice: not an administrator at all.
    alice = world.logged_in("alice")
    for url in ("/admin/finalize", f"/admin/finalize/{world.device_a}"):
        assert alice.get(url).status_code == 403
    # adminb administers group B: device B yes, device A no.
    adminb = world.logged_in("adminb")
    listing = adminb.get("/admin/finalize").text
    assert f"/admin/finalize/{world.device_b}" in listing and "tab-a" not in listing
    r = adminb.get(f"/admin/finalize/{world.device_a}")
    assert r.status_code == 403 and "no live records in your groups" in r.text
    token = csrf_of(adminb.get(f"/admin/finalize/{world.device_b}").text)
    assert (
        adminb.post(f"/admin/finalize/{world.device_a}", data={"csrf_token": token}).status_code
        == 403
    )
    assert row(world, "phq9", world.task_a)["_era"] == "NOW"
    # A device with live records in both groups: refused with the reference's message.
    with world.db.engine.begin() as conn:
        fx.make_task(
            conn,
            "bmi",
            device_id=world.device_b,
            group_id=world.group_a,
            client_id=5,
            when_created="2024-02-03T10:00:00Z",
        )
    fx.reindex(world.db.engine)
    r = adminb.post(f"/admin/finalize/{world.device_b}", data={"csrf_token": token})
    assert r.status_code == 403
    assert (
        "Some records for this device are in groups for which you are not an administrator"
        in r.text
    )
    assert row(world, "phq9", world.task_b)["_era"] == "NOW"
    # Superusers may.
    assert finalize(world, world.logged_in("root"), world.device_b).status_code == 200
    assert row(world, "phq9", world.task_b)["_era"] != "NOW"
    assert_consistent(world.db.engine)


def test_erase_refused_for_live_tasks_and_non_admins(world: World) -> None:
    root = world.logged_in("root")
    r = root.get(f"/tasks/phq9/{world.task_a}/erase")
    assert r.status_code == 400 and "live on its device" in r.text
    token = csrf_of(root.get("/tasks").text)
    r = root.post(
        f"/tasks/phq9/{world.task_a}/erase", data={"csrf_token": token, "mode": "entirely"}
    )
    assert r.status_code == 400 and row(world, "phq9", world.task_a) is not None
    finalize(world, root, world.device_a)
    alice = world.logged_in("alice")
    assert alice.get(f"/tasks/phq9/{world.task_a}/erase").status_code == 403
    token = csrf_of(alice.get("/tasks").text)
    assert (
        alice.post(
            f"/tasks/phq9/{world.task_a}/erase", data={"csrf_token": token, "mode": "entirely"}
        ).status_code
        == 403
    )
    # Another group's administrator can't even see it.
    assert world.logged_in("adminb").get(f"/tasks/phq9/{world.task_a}/erase").status_code == 404
    assert row(world, "phq9", world.task_a)["q1"] == 1


def _finalized_task_with_blob(world: World) -> tuple[int, int]:
    """A photo task (with a BLOB) on device A; returns (task pk, blob pk)."""
    with world.db.engine.begin() as conn:
        task = fx.make_task(
            conn,
            "photo",
            device_id=world.device_a,
            group_id=world.group_a,
            client_id=3,
            patient_id=1,
            when_created="2024-02-04T10:00:00Z",
            description="a cat",
            photo_blobid=1,
        )
        blob = fx.make_row(
            conn,
            "blobs",
            device_id=world.device_a,
            group_id=world.group_a,
            id=1,
            tablename="photo",
            tablepk=3,
            fieldname="photo_blobid",
            mimetype="image/png",
            theblob=b"\x89PNG data",
        )
    fx.reindex(world.db.engine)
    return task, blob


def test_erase_leaving_placeholder(world: World) -> None:
    task, blob = _finalized_task_with_blob(world)
    root = world.logged_in("root")
    finalize(world, root, world.device_a)
    page = root.get(f"/tasks/photo/{task}")
    assert 'id="erase-link"' in page.text
    confirm = root.get(f"/tasks/photo/{task}/erase")
    assert confirm.status_code == 200 and "blobs: 1 row(s)" in confirm.text
    r = post(root, f"/tasks/photo/{task}/erase", f"/tasks/photo/{task}/erase", mode="placeholder")
    assert r.status_code == 303
    t, b = row(world, "photo", task), row(world, "blobs", blob)
    assert (
        t["_manually_erased"] and not t["_current"] and t["_manually_erasing_user_id"] is not None
    )
    assert t["_manually_erased_at"] and t["description"] is None and t["when_last_modified"] is None
    assert (t["id"], t["patient_id"], t["when_created"]) == (3, 1, "2024-02-04T10:00:00Z")
    assert b["_manually_erased"] and b["theblob"] is None and b["tablename"] == "photo"
    tail = audits(world)[-2:]
    assert [a.details for a in tail] == [
        "Task details erased manually",
        "Task cancelled in export log (may trigger resending)",
    ]
    assert (tail[0].table_name, tail[0].server_pk, tail[0].patient_server_pk) == (
        "photo",
        task,
        world.patient_a,
    )
    assert_consistent(world.db.engine)
    assert f'/tasks/photo/{task}"' not in root.get("/tasks").text
    # Erasing twice is refused; deleting the placeholder entirely is allowed.
    r = post(root, f"/tasks/photo/{task}/erase", f"/tasks/photo/{task}/erase", mode="placeholder")
    assert r.status_code == 400 and "already been erased" in r.text


def test_delete_task_entirely(world: World) -> None:
    task, blob = _finalized_task_with_blob(world)
    with world.db.engine.begin() as conn:  # an older version of the same task
        old = fx.make_task(
            conn,
            "photo",
            device_id=world.device_a,
            group_id=world.group_a,
            client_id=3,
            patient_id=1,
            when_created="2024-02-04T10:00:00Z",
            current=False,
        )
    root = world.logged_in("root")
    finalize(world, root, world.device_a)
    r = post(root, f"/tasks/photo/{task}/erase", f"/tasks/photo/{task}/erase", mode="entirely")
    assert r.status_code == 200 and "deleted" in r.text
    assert row(world, "photo", task) is None and row(world, "photo", old) is None
    assert row(world, "blobs", blob) is None
    assert row(world, "phq9", world.task_a) is not None  # the patient's other task stays
    last = audits(world)[-1]
    assert (last.details, last.table_name, last.server_pk) == ("Task deleted", "photo", task)
    assert_consistent(world.db.engine)


def test_delete_patient_by_idnum(world: World) -> None:
    root = world.logged_in("root")
    q = f"which_idnum=1&idnum_value=9000000001&group_id={world.group_a}"
    preview = root.get(f"/admin/delete-patient?{q}")
    assert preview.status_code == 200
    assert "1 patient record(s) (current and old) and 1 task record(s)" in preview.text
    assert row(world, "patient", world.patient_a) is not None
    token = csrf_of(preview.text)
    r = root.post(
        "/admin/delete-patient",
        data={
            "csrf_token": token,
            "which_idnum": "1",
            "idnum_value": "9000000001",
            "group_id": str(world.group_a),
            "confirm": "yes",
        },
    )
    assert r.status_code == 200
    assert (
        row(world, "patient", world.patient_a) is None and row(world, "phq9", world.task_a) is None
    )
    assert row(world, "patient", world.patient_b) is not None
    assert audits(world)[-1].details == (
        "Patient and associated tasks DELETED from group groupa: idnum1 = 9000000001. "
        "Task records deleted: 1.Patient records (current and/or old) deleted 1."
    )
    assert_consistent(world.db.engine)


def test_delete_patient_permissions(world: World) -> None:
    adminb = world.logged_in("adminb")
    assert world.logged_in("alice").get("/admin/delete-patient").status_code == 403
    page = adminb.get("/admin/delete-patient")
    assert page.status_code == 200 and "groupa" not in page.text
    r = adminb.get(
        f"/admin/delete-patient?which_idnum=1&idnum_value=9000000001&group_id={world.group_a}"
    )
    assert r.status_code == 403
    r = adminb.post(
        "/admin/delete-patient",
        data={
            "csrf_token": csrf_of(page.text),
            "which_idnum": "1",
            "idnum_value": "9000000001",
            "group_id": str(world.group_a),
            "confirm": "yes",
        },
    )
    assert r.status_code == 403 and row(world, "patient", world.patient_a) is not None


@pytest.mark.parametrize("who", ["alice", "adminb"])
def test_notes_on_tasks(world: World, who: str) -> None:
    """alice may not add notes (no may_add_notes); an admin of group B may on B's task."""
    c = world.logged_in(who)
    task = world.task_a if who == "alice" else world.task_b
    page = c.get(f"/tasks/phq9/{task}")
    token = csrf_of(page.text)
    r = c.post(
        "/notes/add",
        data={"csrf_token": token, "table": "phq9", "pk": str(task), "note": "checked by phone"},
    )
    if who == "alice":
        assert 'action="/notes/add"' not in page.text and r.status_code == 403
        return
    assert r.status_code == 303
    page = c.get(f"/tasks/phq9/{task}").text
    assert "checked by phone" in page
    last = audits(world)[-2]  # then "Viewed HTML"
    assert (last.details, last.table_name, last.server_pk, last.patient_server_pk) == (
        "Special note applied manually",
        "phq9",
        task,
        world.patient_b,
    )
    with world.db.engine.connect() as conn:
        note_id = conn.execute(sa.select(special_notes.c.note_id)).scalar_one()
    assert c.post(f"/notes/{note_id}/hide", data={"csrf_token": token}).status_code == 303
    assert "checked by phone" not in c.get(f"/tasks/phq9/{task}").text
    assert c.post(f"/notes/{note_id}/hide", data={"csrf_token": token}).status_code == 400
    # Other group's users can't touch it.
    alice = world.logged_in("alice")
    t2 = csrf_of(alice.get("/tasks").text)
    assert alice.post(f"/notes/{note_id}/hide", data={"csrf_token": t2}).status_code == 404
    assert (
        alice.post(
            "/notes/add", data={"csrf_token": t2, "table": "phq9", "pk": str(task), "note": "x"}
        ).status_code
        == 404
    )


def test_may_add_notes_flag_and_patient_notes(world: World, cli: object) -> None:
    with world.db.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE _security_user_group SET may_add_notes = TRUE "
            "WHERE user_id = (SELECT id FROM _security_users WHERE username = 'alice')"
        )
    c = world.logged_in("alice")
    r = post(
        c,
        f"/patients/{world.patient_a}",
        "/notes/add",
        table="patient",
        pk=str(world.patient_a),
        note="Prefers mornings",
    )
    assert r.status_code == 303
    page = c.get(f"/patients/{world.patient_a}").text
    assert "Prefers mornings" in page and "/notes/" in page
    assert audits(world)[-1].details == "Special note applied manually"
    assert (
        post(
            c, "/tasks", "/notes/add", table="patient", pk=str(world.patient_a), note="   "
        ).status_code
        == 400
    )
