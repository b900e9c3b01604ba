"""Tracker and clinical text view: matching by ID number, values, visibility.

Runs on every backend: the matching and task queries are this feature's SQL.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from tests.web import factories as fx
from tests.web.conftest import World

SVG = "{http://www.w3.org/2000/svg}"
NHS_A = 9000000001
GAD7_ALL_TWO: dict[str, Any] = {f"q{i}": 2 for i in range(1, 8)}


def phq9(total_of_first_eight: int, q9: int = 0) -> dict[str, Any]:
    """PHQ-9 answers whose total is ``total_of_first_eight + q9``."""
    answers: dict[str, Any] = {f"q{i}": 0 for i in range(1, 9)}
    left = total_of_first_eight
    for i in range(1, 9):
        answers[f"q{i}"] = min(3, left)
        left -= answers[f"q{i}"]
    assert left == 0
    return {**answers, "q9": q9, "q10": 0}


@pytest.fixture
def history(world: World) -> dict[str, int]:
    """Ann Alpha on a second device in an old era, and a namesake number in group B."""
    with world.db.engine.begin() as conn:
        da2 = fx.make_device(conn, "tab-a2")
        old = fx.make_patient(
            conn,
            device_id=da2,
            group_id=world.group_a,
            client_id=5,
            forename="Ann",
            surname="Alpha",
            era="2023-12-01T12:00:00Z",
            idnums={1: NHS_A},
        )
        for cid, when, answers in (
            (1, "2023-10-01T09:00:00.000+01:00", phq9(18, 1)),
            (2, "2023-11-01T09:00:00.000+00:00", phq9(14)),
        ):
            fx.make_task(
                conn,
                "phq9",
                device_id=da2,
                group_id=world.group_a,
                client_id=cid,
                patient_id=5,
                era="2023-12-01T12:00:00Z",
                when_created=when,
                **answers,
            )
        fx.make_task(
            conn,
            "gad7",
            device_id=da2,
            group_id=world.group_a,
            client_id=3,
            patient_id=5,
            era="2023-12-01T12:00:00Z",
            when_created="2023-11-02T09:00:00.000+00:00",
            **GAD7_ALL_TWO,
        )
        # An incomplete PHQ-9 on the live device: listed, not charted.
        fx.make_task(
            conn,
            "phq9",
            device_id=world.device_a,
            group_id=world.group_a,
            client_id=2,
            patient_id=1,
            when_created="2024-03-01T10:00:00.000+00:00",
            q1=2,
        )
        # Group B holds a patient with Ann's number: never shown to Alice.
        secret = fx.make_patient(
            conn,
            device_id=world.device_b,
            group_id=world.group_b,
            client_id=9,
            forename="Secret",
            surname="Other",
            idnums={1: NHS_A},
        )
        fx.make_task(
            conn,
            "phq9",
            device_id=world.device_b,
            group_id=world.group_b,
            client_id=9,
            patient_id=9,
            when_created="2024-01-15T10:00:00.000+00:00",
            **phq9(24, 3),
        )
    fx.reindex(world.db.engine)
    return {"old": old, "secret": secret}


def svg_points(html: str, table: str) -> list[tuple[str, str]]:
    m = re.search(rf'<svg[^>]*id="tracker-{table}-total".*?</svg>', html, re.S)
    assert m, f"no {table} tracker"
    root = ET.fromstring(m.group(0))
    return [
        (c.get("data-when", "")[:10], c.get("data-value", ""))
        for c in root.iter(f"{SVG}circle")
        if "point" in c.get("class", "")
    ]


def test_tracker_combines_devices_and_eras_of_visible_rows(
    world: World, history: dict[str, int]
) -> None:
    c = world.logged_in("alice")
    for pk in (world.patient_a, history["old"]):
        r = c.get(f"/patients/{pk}/tracker")
        assert r.status_code == 200, r.text
        # Old era (2 PHQ-9) + live device (PHQ9_COMPLETE: q1..q9 = 1 → 9);
        # the incomplete one has no point; group B's PHQ-9 (27) is absent.
        assert svg_points(r.text, "phq9") == [
            ("2023-10-01", "19"),
            ("2023-11-01", "14"),
            ("2024-02-01", "9"),
        ]
        assert svg_points(r.text, "gad7") == [("2023-11-02", "14")]
        assert "2 (incomplete, not charted)" in r.text
        assert "Secret" not in r.text
        assert "Combines 2 patient records" in r.text
    # The superuser sees group B's row too, matched by the same number.
    r = world.logged_in("root").get(f"/patients/{world.patient_a}/tracker")
    assert [v for _, v in svg_points(r.text, "phq9")] == ["19", "14", "27", "9"]


def test_clinical_view_lists_every_task_in_time_order_with_flags(
    world: World, history: dict[str, int]
) -> None:
    c = world.logged_in("alice")
    r = c.get(f"/patients/{world.patient_a}/clinical")
    assert r.status_code == 200, r.text
    items = re.findall(r'<li class="clinical-task([^"]*)" data-table="(\w+)"', r.text)
    assert [t for _, t in items] == ["phq9", "phq9", "gad7", "phq9", "phq9"]
    # The first (q9 = 1) and the live one (q9 = 1) are flagged; the others not.
    assert [bool(flag.strip()) for flag, _ in items] == [True, False, False, True, False]
    assert "item 9 (self-harm thoughts) = 1" in r.text
    assert "Secret" not in r.text
    patient_page = c.get(f"/patients/{world.patient_a}").text
    assert f'href="/patients/{world.patient_a}/tracker"' in patient_page
    assert f'href="/patients/{world.patient_a}/clinical"' in patient_page


def test_other_group_gets_404(world: World, history: dict[str, int]) -> None:
    c = world.logged_in("bob")
    for pk in (world.patient_a, history["old"]):
        for page in ("tracker", "clinical"):
            r = c.get(f"/patients/{pk}/{page}")
            assert r.status_code == 404
            assert "Alpha" not in r.text
    # Bob's own patient shares Ann's number with Bob's "Secret" row only.
    r = c.get(f"/patients/{history['secret']}/tracker")
    assert r.status_code == 200
    assert [v for _, v in svg_points(r.text, "phq9")] == ["27"]
    assert "Alpha" not in r.text
    for missing in (
        "/patients/999999/tracker",
        "/patients/999999/clinical",
        "/patients/0/tracker",
        "/patients/99999999999999999999999/tracker",
        "/patients/2147483648/clinical",
    ):
        assert c.get(missing).status_code == 404


def test_patient_without_tasks_or_numbers(world: World) -> None:
    with world.db.engine.begin() as conn:
        lone = fx.make_patient(
            conn,
            device_id=world.device_a,
            group_id=world.group_a,
            client_id=7,
            forename="Lone",
            surname="Nonumber",
        )
    fx.reindex(world.db.engine)
    c = world.logged_in("alice")
    r = c.get(f"/patients/{lone}/tracker")
    assert r.status_code == 200 and 'id="no-trackers"' in r.text
    assert "no ID numbers" in r.text
    assert "No tasks you may see" in c.get(f"/patients/{lone}/clinical").text


def test_lists_show_result_flag_and_finalized_date(world: World, history: dict[str, int]) -> None:
    c = world.logged_in("alice")
    tasks = c.get("/tasks?via=direct&per_page=100").text
    # PHQ9_COMPLETE: every answer 1 → total 9/27, mild, item 9 = 1 flagged.
    row = re.search(
        rf'<tr>\s*<td data-label="Created">[^<]*</td>\s*'
        rf'<td data-label="Task"><a href="/tasks/phq9/{world.task_a}">.*?</tr>',
        tasks,
        re.S,
    )
    assert row, tasks
    assert "Patient Health Questionnaire-9" in row.group(0)
    assert "9/27 Mild" in row.group(0)
    assert "item 9 (self-harm thoughts) = 1" in row.group(0)
    assert "2/27 (incomplete)" in tasks
    assert "finalized on 1 Dec 2023" in tasks
    assert "2023-12-01T12:00:00Z</span>" not in tasks
    patient = c.get(f"/patients/{world.patient_a}").text
    assert "9/27 Mild" in patient and "item 9 (self-harm thoughts) = 1" in patient
    task = c.get(f"/tasks/phq9/{world.task_a}").text
    assert re.search(r'id="task-result"><strong>9/27 Mild</strong> <strong class="risk"', task)


def test_by_id_number(world: World, history: dict[str, int]) -> None:
    c = world.logged_in("alice")
    r = c.get(f"/tracker?which_idnum=1&idnum_value={NHS_A}")
    assert r.status_code == 200
    assert [v for _, v in svg_points(r.text, "phq9")] == ["19", "14", "9"]
    assert "Secret" not in r.text
    clinical = c.get(f"/clinical?which_idnum=1&idnum_value={NHS_A}").text
    assert clinical.count('data-table="phq9"') == 4
    # Bob sees only his own row with that number; an unknown number is not found.
    r = world.logged_in("bob").get(f"/tracker?which_idnum=1&idnum_value={NHS_A}")
    assert [v for _, v in svg_points(r.text, "phq9")] == ["27"]
    assert "Alpha" not in r.text
    for query in (
        "which_idnum=1&idnum_value=123",
        "which_idnum=2&idnum_value=9000000001",
        "which_idnum=1",
        "which_idnum=x&idnum_value=1",
        "which_idnum=1&idnum_value=%27%20OR%201=1",
        "which_idnum=1&idnum_value=" + "9" * 2000,
        "which_idnum=1&idnum_value=-5",
        "which_idnum=1&idnum_value=١٢",
    ):
        for page in ("tracker", "clinical"):
            assert c.get(f"/{page}?{query}").status_code == 404, query
