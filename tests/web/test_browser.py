"""Browser tests: Playwright driving Debian's Chromium against a real server.

No browser is ever downloaded: we launch /usr/bin/chromium (``apt-get install
chromium``).  Screenshots of the main pages go to test-artifacts/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.server import ServerProcess
from tests.web.conftest import PASSWORD, World

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.sqlite_only,
    pytest.mark.e2e,
    pytest.mark.skipif(
        # CI sets COPSE_REQUIRE_BROWSER=1, so there a missing browser fails loudly instead.
        not CHROMIUM.exists() and not os.environ.get("COPSE_REQUIRE_BROWSER"),
        reason="BROWSER TESTS NOT RUN: /usr/bin/chromium is missing (apt-get install -y chromium)",
    ),
]


def test_log_in_browse_and_log_out(live: ServerProcess, world: World, artifacts_dir: Path) -> None:
    from playwright.sync_api import sync_playwright

    base = live.base_url
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{base}/tasks")
            assert page.url.startswith(f"{base}/login")
            page.screenshot(path=str(artifacts_dir / "web-login.png"), full_page=True)
            page.fill("input[name=username]", "root")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/tasks")
            assert "2 tasks" in page.inner_text("#count")
            assert page.locator("text=Alpha").count() >= 1
            page.screenshot(path=str(artifacts_dir / "web-tasks.png"), full_page=True)

            page.click(f"a[href='/tasks/phq9/{world.task_a}']")
            page.wait_for_url(f"{base}/tasks/phq9/{world.task_a}")
            assert "Patient Health Questionnaire-9" in page.inner_text("h1")
            page.screenshot(path=str(artifacts_dir / "web-task.png"), full_page=True)

            page.click(f"a[href='/patients/{world.patient_a}']")
            page.wait_for_url(f"{base}/patients/{world.patient_a}")
            assert "9000000001" in page.content()
            page.screenshot(path=str(artifacts_dir / "web-patient.png"), full_page=True)

            page.goto(f"{base}/tasks?surname=beta")
            assert "1 task" in page.inner_text("#count")

            page.click("a[href='/audit']")
            page.wait_for_url(f"{base}/audit")
            assert "Login as user: root" in page.content()
            assert "Viewed HTML" in page.content()
            page.screenshot(path=str(artifacts_dir / "web-audit.png"), full_page=True)

            phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
            phone.context.add_cookies(page.context.cookies())
            for name, url in (
                ("tasks", "/tasks"),
                ("task", f"/tasks/phq9/{world.task_a}"),
                ("patient", f"/patients/{world.patient_a}"),
                ("audit", "/audit"),
                ("users", "/admin/users"),
            ):
                phone.goto(f"{base}{url}")
                phone.screenshot(path=str(artifacts_dir / f"web-phone-{name}.png"), full_page=True)
                # Phone-sized layout: nothing is wider than the screen (no sideways scrolling).
                widths = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                assert widths[0] <= widths[1], (url, widths)

            page.click("button:has-text('Log out')")
            page.wait_for_url(f"{base}/login")
            page.goto(f"{base}/tasks")
            assert page.url.startswith(f"{base}/login")
        finally:
            browser.close()


def test_group_user_sees_only_their_group(live: ServerProcess, world: World) -> None:
    from playwright.sync_api import sync_playwright

    base = live.base_url
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{base}/login")
            page.fill("input[name=username]", "alice")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/tasks")
            assert "1 task" in page.inner_text("#count") and "Beta" not in page.content()
            response = page.goto(f"{base}/tasks/phq9/{world.task_b}")
            assert response is not None and response.status == 404
            response = page.goto(f"{base}/audit")
            assert response is not None and response.status == 403
        finally:
            browser.close()
