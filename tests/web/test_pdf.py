"""PDFs of a task, a tracker and a clinical text view, read back with pypdf.

Every page must say whose it is (name and ID number) and "page N of M"; a task
with missing or out-of-range values still prints; other groups get a 404.
"""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.web import factories as fx
from tests.web.conftest import World


def pages_text(data: bytes) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages]


def assert_every_page_identified(data: bytes, name: str, idnum: str) -> list[str]:
    texts = pages_text(data)
    assert texts
    for n, text in enumerate(texts, start=1):
        assert name in text, (n, text)
        assert idnum in text, (n, text)
        assert f"page {n} of {len(texts)}" in text, (n, text)
    return texts


@pytest.fixture
def many(world: World) -> int:
    """Sixty PHQ-9s for Ann (so the clinical view runs over several pages), one odd."""
    with world.db.engine.begin() as conn:
        for i in range(60):
            fx.make_task(
                conn,
                "phq9",
                device_id=world.device_a,
                group_id=world.group_a,
                client_id=100 + i,
                patient_id=1,
                when_created=f"2024-{1 + i // 28:02d}-{1 + i % 28:02d}T10:00:00.000+00:00",
                **{f"q{k}": (i + k) % 4 for k in range(1, 11)},
            )
        # Missing answers and an out-of-range one (q1 = 7 on a 0-3 item).
        odd = fx.make_task(
            conn,
            "phq9",
            device_id=world.device_a,
            group_id=world.group_a,
            client_id=999,
            patient_id=1,
            when_created="2024-04-01T10:00:00.000+00:00",
            q1=7,
        )
    fx.reindex(world.db.engine)
    return odd


def test_task_pdf(world: World, many: int) -> None:
    c = world.logged_in("alice")
    r = c.get(f"/tasks/phq9/{world.task_a}.pdf")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    texts = assert_every_page_identified(r.content, "Alpha, Ann", "NHS# 900 000 0001")
    whole = "\n".join(texts)
    assert "Patient Health Questionnaire-9" in whole
    assert "DOB 1980-01-02" in whole
    assert "Signature" in whole
    r = c.get(f"/tasks/phq9/{many}.pdf")
    assert r.status_code == 200
    whole = "\n".join(assert_every_page_identified(r.content, "Alpha, Ann", "NHS# 900 000 0001"))
    assert "(missing)" in whole
    assert "incomplete" in whole


def test_tracker_and_clinical_pdfs_over_pages(world: World, many: int) -> None:
    c = world.logged_in("alice")
    r = c.get(f"/patients/{world.patient_a}/tracker.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    whole = "\n".join(assert_every_page_identified(r.content, "Alpha, Ann", "NHS# 900 000 0001"))
    assert "PHQ-9" in whole and "incomplete, not charted" in whole
    r = c.get(f"/patients/{world.patient_a}/clinical.pdf")
    texts = assert_every_page_identified(r.content, "Alpha, Ann", "NHS# 900 000 0001")
    assert len(texts) > 1


def test_pdfs_of_another_group_are_not_found(world: World) -> None:
    c = world.logged_in("bob")
    for url in (
        f"/tasks/phq9/{world.task_a}.pdf",
        f"/patients/{world.patient_a}/tracker.pdf",
        f"/patients/{world.patient_a}/clinical.pdf",
        f"/patients/{world.patient_a}/tracker",
        f"/patients/{world.patient_a}/clinical",
        "/tasks/nosuchtask/1.pdf",
        "/tasks/phq9/99999999999.pdf",
        "/tasks/phq9/99999999999",
        "/patients/99999999999",
        "/patients/99999999999/tracker.pdf",
    ):
        r = c.get(url)
        assert r.status_code == 404, url
        assert b"Alpha" not in r.content
