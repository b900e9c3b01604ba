"""Browser test of the Patients page: search by each field, phone width, the PDF link.

Chromium (Debian's, via Playwright) against a real server process. Screenshots
are written under pytest's temporary directory (``screenshots/``), not
committed: a reviewer finds their path in the test's output.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.server import ServerProcess
from tests.web.conftest import PASSWORD, World
from tests.web.test_browser import ARGS, CHROMIUM
from tests.web.test_browser import pytestmark as browser_marks

pytestmark = browser_marks


@pytest.fixture
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.getbasetemp() / "screenshots"
    path.mkdir(exist_ok=True)
    print(f"screenshots in {path}")
    return path


@pytest.mark.parametrize("width", [1280, 390])
def test_search_each_field_then_pdf(
    live: ServerProcess, world: World, shots: Path, width: int
) -> None:
    from playwright.sync_api import sync_playwright

    base = live.base_url
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(f"{base}/login")
            page.fill("input[name=username]", "alice")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state()
            page.click("nav a[href='/patients']")
            page.wait_for_url(f"{base}/patients")
            for field, value in (
                ("surname", "ALP"),
                ("forename", "ann"),
                ("dob", "1980-01-02"),
                ("idnum", "900 000 0001"),
            ):
                page.goto(f"{base}/patients")
                page.fill(f"#patient-search input[name={field}]", value)
                page.click("#patient-search button[type=submit]")
                page.wait_for_load_state()
                rows = page.locator("#patient-list tbody tr")
                assert rows.count() == 1, field
                assert "Alpha, Ann" in rows.first.inner_text(), field
                assert "NHS# 900 000 0001" in rows.first.inner_text(), field
            # Another group's patient is never found.
            page.goto(f"{base}/patients?surname=beta")
            assert page.locator("#patient-list").count() == 0
            page.goto(f"{base}/patients")
            page.screenshot(path=str(shots / f"web-patients-{width}.png"), full_page=True)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0
            page.click("#patient-list a[href^='/patients/']")
            page.wait_for_url(f"{base}/patients/{world.patient_a}")
            assert page.locator("#age").inner_text().strip().isdigit()
            assert (
                page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                <= 0
            )
            page.screenshot(path=str(shots / f"web-patient-{width}.png"), full_page=True)
            href = page.get_attribute("#clinical-links a[href$='/tracker.pdf']", "href")
            assert href is not None
            pdf = page.request.get(f"{base}{href}")
            assert pdf.status == 200
            assert pdf.headers["content-type"] == "application/pdf"
            assert pdf.body().startswith(b"%PDF")
            page.goto(f"{base}/tasks/phq9/{world.task_a}")
            task_pdf = page.request.get(f"{base}" + str(page.get_attribute("#pdf-link", "href")))
            assert task_pdf.status == 200 and task_pdf.body().startswith(b"%PDF")
        finally:
            browser.close()
