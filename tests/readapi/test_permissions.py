"""Visibility: another group's data is 404 or absent from lists, with nothing of it in the reply.

Runs on every configured backend (the visibility conditions are SQL).
"""

from __future__ import annotations

import sqlalchemy as sa

from copse.schema.tables import audit
from tests.readapi.conftest import Api, token_for
from tests.web import factories as fx
from tests.web.conftest import World

#: Group A's patient, as markers that must never reach Bob (group B).
A_MARKERS = ("Ann", "Alpha", "1980-01-02", "9000000001")


def _add_blob(world: World) -> int:
    with world.db.engine.begin() as conn:
        return fx.make_row(
            conn,
            "blobs",
            device_id=world.device_a,
            group_id=world.group_a,
            id=5,
            tablename="photo",
            tablepk=1,
            fieldname="photo_blobid",
            mimetype="image/png",
            theblob=b"\x89PNG secret pixels",
            when_last_modified="2024-03-01T11:00:00.000+00:00",
        )


def test_other_groups_records_are_404_like_missing_ones(world: World, app_client: object) -> None:
    blob_pk = _add_blob(world)
    bob = Api(app_client, token_for(world, "bob"))  # type: ignore[arg-type]
    missing = bob.get("/tasks/phq9/999999")
    assert missing.status_code == 404
    for path in (
        f"/tasks/phq9/{world.task_a}",
        f"/patients/{world.patient_a}",
        f"/blobs/{blob_pk}",
    ):
        r = bob.get(path)
        assert r.status_code == 404, path
        assert r.json() == missing.json()
        assert b"secret" not in r.content
        for m in A_MARKERS:
            assert m not in r.text
    # Alice (group A) sees them.
    alice = Api(app_client, token_for(world, "alice"))  # type: ignore[arg-type]
    assert alice.get(f"/tasks/phq9/{world.task_a}").status_code == 200
    r = alice.get(f"/blobs/{blob_pk}")
    assert r.status_code == 200 and r.content == b"\x89PNG secret pixels"
    assert r.headers["content-type"] == "image/png"


def test_other_groups_records_are_absent_from_lists(world: World, app_client: object) -> None:
    bob = Api(app_client, token_for(world, "bob"))  # type: ignore[arg-type]
    for path, params in (
        ("/tasks", {}),
        ("/tasks", {"group_id": world.group_a}),
        ("/tasks", {"which_idnum": 1, "idnum_value": 9000000001}),
        ("/tasks", {"patient_pk": world.patient_a}),
        ("/tasks", {"surname": "alpha"}),
        ("/patients", {}),
        ("/patients", {"which_idnum": 1, "idnum_value": 9000000001}),
        ("/patients", {"forename": "Ann", "dob": "1980-01-02"}),
        ("/groups", {}),
    ):
        r = bob.get(path, **params)
        assert r.status_code == 200, (path, params, r.text)
        for m in A_MARKERS:
            assert m not in r.text, (path, params)
        for item in r.json()["items"]:
            assert item.get("group_id", item.get("id")) != world.group_a
    tasks = bob.get("/tasks").json()["items"]
    assert [(t["table"], t["pk"]) for t in tasks] == [("phq9", world.task_b)]
    assert bob.get("/tasks", group_id=world.group_a).json() == {"items": [], "next_cursor": None}
    assert [g["name"] for g in bob.get("/groups").json()["items"]] == ["groupb"]


def test_superuser_sees_every_group(world: World, app_client: object) -> None:
    root = Api(app_client, token_for(world, "root"))  # type: ignore[arg-type]
    tasks = root.get("/tasks").json()["items"]
    assert {t["pk"] for t in tasks} == {world.task_a, world.task_b}
    assert [g["name"] for g in root.get("/groups").json()["items"]] == ["groupa", "groupb"]


def test_every_call_is_audited_with_who_what_and_rows(world: World, as_alice: Api) -> None:
    as_alice.get("/tasks", surname="alpha", task_type="phq9")
    as_alice.get(f"/tasks/phq9/{world.task_a}")
    as_alice.get(f"/tasks/phq9/{world.task_b}")
    as_alice.get("/tasks", limit=999)
    with world.db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit).where(audit.c.source == "api").order_by(audit.c.id)
        ).all()
    alice_id = rows[0].user_id
    assert [r.user_id for r in rows] == [alice_id] * 4
    assert "surname=alpha" in rows[0].details and "-> 200; 1 rows" in rows[0].details
    assert rows[1].table_name == "phq9" and rows[1].server_pk == world.task_a
    assert rows[1].patient_server_pk == world.patient_a
    assert "-> 404" in rows[2].details
    assert "limit=999 -> 400" in rows[3].details
