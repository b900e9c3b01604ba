"""One task in full: fields, ancillary rows, BLOB links that fetch the bytes, and
summaries equal to the task definition's own computation."""

from __future__ import annotations

from copse.records import rows as records
from copse.tasks.catalogue import get_task
from tests.readapi.conftest import Api
from tests.web import factories as fx
from tests.web.conftest import World


def _photosequence(world: World) -> int:
    with world.db.engine.begin() as conn:
        pk = fx.make_task(
            conn,
            "photosequence",
            device_id=world.device_a,
            group_id=world.group_a,
            client_id=7,
            patient_id=1,
            when_created="2024-02-03T10:00:00+00:00",
            sequence_description="Wound healing",
        )
        for seq, blob_id in ((2, 41), (1, 40)):
            fx.make_row(
                conn,
                "photosequence_photos",
                device_id=world.device_a,
                group_id=world.group_a,
                id=seq,
                photosequence_id=7,
                seqnum=seq,
                description=f"photo {seq}",
                photo_blobid=blob_id,
            )
            fx.make_row(
                conn,
                "blobs",
                device_id=world.device_a,
                group_id=world.group_a,
                id=blob_id,
                tablename="photosequence_photos",
                tablepk=seq,
                fieldname="photo_blobid",
                mimetype="image/jpeg" if seq == 1 else "text/html",
                theblob=bytes([seq]) * 10,
            )
    fx.reindex(world.db.engine)
    return pk


def test_task_with_ancillary_rows_and_blobs(world: World, as_alice: Api) -> None:
    pk = _photosequence(world)
    r = as_alice.get(f"/tasks/photosequence/{pk}")
    assert r.status_code == 200, r.text
    t = r.json()
    assert t["fields"]["sequence_description"] == "Wound healing"
    assert t["server"]["_current"] is True and t["server"]["_group_id"] == world.group_a
    photos = t["ancillary"]["photosequence_photos"]
    assert [p["seqnum"] for p in photos] == [1, 2]  # in the relationship's order
    assert [b["id"] for b in t["blobs"]] == [40, 41]
    assert t["patient"]["pk"] == world.patient_a
    assert t["patient"]["idnums"] == [{"which_idnum": 1, "idnum_value": 9000000001}]
    first = as_alice.client.get(
        t["blobs"][0]["url"], headers={"Authorization": f"Bearer {as_alice.token}"}
    )
    assert first.status_code == 200 and first.content == b"\x01" * 10
    assert first.headers["content-type"] == "image/jpeg"
    second = as_alice.client.get(
        t["blobs"][1]["url"], headers={"Authorization": f"Bearer {as_alice.token}"}
    )
    # Not an image type: never served as HTML.
    assert second.headers["content-type"] == "application/octet-stream"
    assert second.headers["content-disposition"].startswith("attachment")


def test_summaries_are_the_definitions_own(world: World, as_alice: Api) -> None:
    t = as_alice.get(f"/tasks/phq9/{world.task_a}").json()
    definition = get_task("phq9")
    with world.db.engine.connect() as conn:
        row = records.get_row(conn, "phq9", world.task_a)
        assert row is not None
        data = records.load_task_data(conn, "phq9", row)
    expected = [*definition.standard_summaries(data), *definition.summaries(data)]
    assert [(s["name"], s["value"]) for s in t["summaries"]] == [
        (s.name, s.value) for s in expected
    ]
    assert t["complete"] is True
    listed = as_alice.get("/tasks", task_type="phq9").json()["items"]
    assert listed[0]["summaries"] == t["summaries"]


def test_task_type_catalogue(as_alice: Api) -> None:
    types = as_alice.get("/task-types").json()["items"]
    by_table = {t["table"]: t for t in types}
    assert by_table["phq9"]["has_scoring_logic"] is True
    assert len(types) >= 100
    phq9 = as_alice.get("/task-types/phq9").json()
    names = {f["name"] for f in phq9["fields"]}
    assert {"q1", "q9", "when_created"} <= names
    summaries = {s["name"] for s in phq9["summaries"]}
    assert {"is_complete", "total"} <= summaries
    ps = as_alice.get("/task-types/photosequence").json()
    assert ps["ancillary_tables"] == ["photosequence_photos"]
    assert any(f["table"] == "photosequence_photos" for f in ps["fields"])


def test_reference_lists(world: World, as_alice: Api) -> None:
    assert as_alice.get("/idnum-definitions").json()["items"] == [
        {"which_idnum": 1, "description": "NHS number", "short_description": "NHS#"}
    ]
    patients = as_alice.get("/patients", which_idnum=1, idnum_value=9000000001).json()["items"]
    assert [p["pk"] for p in patients] == [world.patient_a]
    tasks = as_alice.get(patients[0]["tasks_url"].removeprefix("/read/v1")).json()
    assert [t["pk"] for t in tasks["items"]] == [world.task_a]
