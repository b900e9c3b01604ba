"""Editing a finalized patient (data-model.md §10.4): new versions, a note, an audit entry."""

from __future__ import annotations

import sqlalchemy as sa

from copse.schema.tables import CLIENT_TABLES, audit, special_notes
from tests.web.conftest import World, csrf_of
from tests.web.consistency import assert_consistent
from tests.web.test_manage import finalize, row


def _idnums(world: World) -> list[dict]:  # type: ignore[type-arg]
    i = CLIENT_TABLES["patient_idnum"]
    with world.db.engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(
                sa.select(i).where(i.c._device_id == world.device_a).order_by(i.c._pk)
            ).mappings()
        ]


def _form(page: str, **values: str) -> dict[str, str]:
    base = {
        "csrf_token": csrf_of(page),
        "forename": "Ann",
        "surname": "Alpha",
        "dob": "1980-01-02",
        "sex": "F",
        "address": "",
        "email": "",
        "gp": "",
        "other": "",
        "idnum1": "9000000001",
    }
    base.update(values)
    return base


def test_edit_finalized_patient_makes_versions(world: World, cli: object) -> None:
    cli("idnum", "add", "2", "--description", "Hospital number", "--short-description", "H#")  # type: ignore[operator]
    root = world.logged_in("root")
    r = root.get(f"/patients/{world.patient_a}/edit")
    assert r.status_code == 400 and "live on its device" in r.text
    finalize(world, root, world.device_a)
    page = root.get(f"/patients/{world.patient_a}")
    assert 'id="edit-link"' in page.text
    form = root.get(f"/patients/{world.patient_a}/edit")
    assert form.status_code == 200
    r = root.post(
        f"/patients/{world.patient_a}/edit",
        data=_form(form.text, surname="Alpha-Smith", idnum1="9000000009", idnum2="42"),
    )
    assert r.status_code == 303
    new_pk = int(r.headers["location"].rsplit("/", 1)[1])
    old, new = row(world, "patient", world.patient_a), row(world, "patient", new_pk)
    assert new_pk != world.patient_a
    assert old["surname"] == "Alpha" and not old["_current"] and old["_successor_pk"] == new_pk
    assert (
        new["surname"] == "Alpha-Smith"
        and new["_current"]
        and new["_predecessor_pk"] == world.patient_a
    )
    assert new["_era"] == old["_era"] != "NOW" and new["_forcibly_preserved"]
    ids = _idnums(world)
    assert [(i["which_idnum"], i["idnum_value"], bool(i["_current"])) for i in ids] == [
        (1, 9000000001, False),
        (1, 9000000009, True),
        (2, 42, True),
    ]
    assert ids[0]["_successor_pk"] == ids[1]["_pk"] and ids[1]["_predecessor_pk"] == ids[0]["_pk"]
    assert ids[2]["id"] == ids[0]["id"] + 1  # next free client id of the device and era
    with world.db.engine.connect() as conn:
        note = conn.execute(sa.select(special_notes.c.note)).scalar_one()
        last = conn.execute(sa.select(audit).order_by(audit.c.id.desc())).first()
    assert note == (
        "Patient details edited. Changes: surname: 'Alpha' → 'Alpha-Smith'; "
        "idnum1 (NHS number): 9000000001 → 9000000009; idnum2 (Hospital number): None → 42"
    )
    assert (last.details, last.table_name, last.server_pk, last.patient_server_pk) == (
        "Patient edited",
        "patient",
        new_pk,
        new_pk,
    )
    assert_consistent(world.db.engine)
    # The task now lists under the new name and number, in both modes.
    for via in ("index", "direct"):
        assert (
            f"/tasks/phq9/{world.task_a}" in root.get(f"/tasks?surname=alpha-smith&via={via}").text
        )
        assert (
            f"/tasks/phq9/{world.task_a}"
            in root.get(f"/tasks?which_idnum=1&idnum_value=9000000009&via={via}").text
        )
        assert "0 tasks" in root.get(f"/tasks?which_idnum=1&idnum_value=9000000001&via={via}").text
    # Removing an ID type: the row stops being current, no successor.
    form = root.get(f"/patients/{new_pk}/edit")
    r = root.post(
        f"/patients/{new_pk}/edit",
        data=_form(form.text, surname="Alpha-Smith", idnum1="9000000009", idnum2=""),
    )
    assert r.status_code == 303
    ids = _idnums(world)
    assert not ids[2]["_current"] and ids[2]["_successor_pk"] is None
    assert row(world, "patient", new_pk)["_current"]  # no detail change: no new patient version
    assert_consistent(world.db.engine)


def test_edit_validation_and_permissions(world: World) -> None:
    root = world.logged_in("root")
    finalize(world, root, world.device_a)
    form = root.get(f"/patients/{world.patient_a}/edit").text
    r = root.post(f"/patients/{world.patient_a}/edit", data=_form(form, sex="Q", idnum1="-5"))
    assert (
        r.status_code == 400
        and "Sex must be F, M or X" in r.text
        and "positive whole number" in r.text
    )
    r = root.post(f"/patients/{world.patient_a}/edit", data=_form(form))
    assert r.status_code == 400 and "Nothing was changed" in r.text
    assert row(world, "patient", world.patient_a)["_current"]
    alice = world.logged_in("alice")
    assert alice.get(f"/patients/{world.patient_a}/edit").status_code == 403
    token = csrf_of(alice.get("/tasks").text)
    assert (
        alice.post(
            f"/patients/{world.patient_a}/edit", data={"csrf_token": token, "surname": "X"}
        ).status_code
        == 403
    )
    assert world.logged_in("adminb").get(f"/patients/{world.patient_a}/edit").status_code == 404
