"""Task, patient and audit pages: what they show."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from copse.schema.tables import CLIENT_TABLES, audit
from tests.web import factories as fx
from tests.web.conftest import World

pytestmark = pytest.mark.sqlite_only  # backend-neutral: see tests/conftest.py


def test_task_view_shows_history_notes_era_and_device(world: World) -> None:
    t = CLIENT_TABLES["phq9"]
    with world.db.engine.begin() as conn:
        old = fx.make_task(
            conn,
            "phq9",
            device_id=world.device_a,
            group_id=world.group_a,
            client_id=1,
            patient_id=1,
            when_created="2024-02-01T10:00:00.000+00:00",
            current=False,
            q1=0,
        )
        conn.execute(
            sa.update(t)
            .where(t.c._pk == old)
            .values(_successor_pk=world.task_a, _when_removed_exact="2024-03-01T12:00:00+00:00")
        )
        fx.make_note(
            conn,
            basetable="phq9",
            task_id=1,
            device_id=world.device_a,
            era="NOW",
            note="Shown note",
        )
        fx.make_note(
            conn,
            basetable="phq9",
            task_id=1,
            device_id=world.device_a,
            era="NOW",
            note="Hidden note",
            hidden=True,
        )
        fx.make_note(
            conn,
            basetable="phq9",
            task_id=1,
            device_id=world.device_b,
            era="NOW",
            note="Other device's note",
        )
    c = world.logged_in("alice")
    r = c.get(f"/tasks/phq9/{world.task_a}")
    assert r.status_code == 200
    text = r.text
    assert "Patient Health Questionnaire-9" in text and "Total score" in text
    assert f'href="/tasks/phq9/{old}"' in text and "alice" in text
    assert "Shown note" in text and "Hidden note" not in text and "Other device" not in text
    assert (
        "Tablet tab-a" in text and "live" in text and f'href="/patients/{world.patient_a}"' in text
    )
    r_old = c.get(f"/tasks/phq9/{old}")
    assert r_old.status_code == 200 and "Shown note" in r_old.text  # notes follow the lineage
    with world.db.engine.connect() as conn:
        row = conn.execute(
            sa.select(audit).where(audit.c.details == "Viewed HTML").order_by(audit.c.id)
        ).first()
    assert row is not None and row.table_name == "phq9" and row.server_pk == world.task_a
    assert row.patient_server_pk == world.patient_a


def test_unknown_tables_and_non_task_tables_are_404(world: World) -> None:
    c = world.logged_in("root")
    for url in ("/tasks/nonsense/1", f"/tasks/patient/{world.patient_a}", "/tasks/phq9/abc"):
        assert c.get(url).status_code == 404


def test_patient_view(world: World) -> None:
    with world.db.engine.begin() as conn:
        bmi = fx.make_task(
            conn,
            "bmi",
            device_id=world.device_a,
            group_id=world.group_a,
            client_id=3,
            patient_id=1,
            when_created="2024-01-01T10:00:00Z",
        )
        # Same client patient id on another device is another patient.
        fx.make_task(
            conn,
            "bmi",
            device_id=world.device_b,
            group_id=world.group_a,
            client_id=4,
            patient_id=1,
            when_created="2024-01-02T10:00:00Z",
        )
    fx.reindex(world.db.engine)  # the factories write past the engine; the page lists via the index
    c = world.logged_in("alice")
    r = c.get(f"/patients/{world.patient_a}")
    assert r.status_code == 200
    assert "Alpha" in r.text and "1980-01-02" in r.text and "NHS number" in r.text
    assert "9000000001" in r.text and "which_idnum=1&amp;idnum_value=9000000001" in r.text
    assert f"/tasks/phq9/{world.task_a}" in r.text and f"/tasks/bmi/{bmi}" in r.text
    assert r.text.count('href="/tasks/bmi/') == 1


def test_old_patient_version_points_to_the_current_one(world: World) -> None:
    p = CLIENT_TABLES["patient"]
    with world.db.engine.begin() as conn:
        conn.execute(sa.update(p).where(p.c._pk == world.patient_a).values(_current=False))
        new = fx.make_row(
            conn,
            "patient",
            device_id=world.device_a,
            group_id=world.group_a,
            id=1,
            forename="Ann",
            surname="Alpha-Smith",
            dob="1980-01-02",
            sex="F",
        )
    r = world.logged_in("alice").get(f"/patients/{world.patient_a}")
    assert r.status_code == 200 and "Alpha-Smith" in r.text and f'href="/patients/{new}"' in r.text


def test_audit_filters_and_paging(world: World) -> None:
    for _ in range(3):
        world.logged_in("alice")
    c = world.logged_in("root")
    r = c.get("/audit?username=alice")
    assert r.status_code == 200 and "3 entries" in r.text
    assert "3 entries" in c.get("/audit?text=user: alice&source=webviewer").text
    assert "0 entries" in c.get("/audit?source=tablet").text
    assert "0 entries" in c.get("/audit?date_to=2000-01-01").text
    assert "is not a date" in c.get("/audit?date_from=yesterday").text
    assert "0 entries" in c.get("/audit?text=100%25").text  # LIKE wildcards are literal
    with world.db.engine.begin() as conn:
        conn.execute(
            sa.insert(audit),
            [
                {
                    "when_access_utc": fx.BATCH,
                    "source": "tablet",
                    "details": f"entry {n}",
                    "device_id": world.device_a,
                }
                for n in range(60)
            ],
        )
    r = c.get(f"/audit?device_id={world.device_a}")
    assert "60 entries" in r.text and "Page 1 of 2" in r.text and "entry 59" in r.text
    r = c.get(f"/audit?device_id={world.device_a}&page=2")
    assert "Page 2 of 2" in r.text and "entry 0<" in r.text and "entry 59" not in r.text
