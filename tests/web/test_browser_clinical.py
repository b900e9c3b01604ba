"""Browser test of the tracker on demo data: values read from the SVG's data attributes.

Chromium (Debian's, via Playwright) against a real server process on a
database filled by ``copse demo``. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.support.databases import Backend
from tests.support.server import ServerProcess
from tests.web.test_browser import ARGS, CHROMIUM
from tests.web.test_browser import pytestmark as browser_marks
from tests.web.test_demo import demo_person_phq9

pytestmark = browser_marks


@pytest.mark.parametrize("width", [1280, 390])
def test_demo_tracker_in_chromium(
    cli: Cli, db: Backend, tmp_path: Path, artifacts_dir: Path, width: int
) -> None:
    from playwright.sync_api import sync_playwright

    out = cli("demo", "--patients", "3")
    m = re.search(r"as: (\S+) / (\S+)", out)
    assert m, out
    user, password = m.groups()
    with db.engine.connect() as conn:
        patient_pk, expected = demo_person_phq9(conn)
    server = ServerProcess(
        db.url,
        tmp_path / "server.log",
        extra_env={
            "COPSE_SECRET_KEY": secrets.token_urlsafe(48),
            "COPSE_ALLOW_INSECURE_COOKIES": "1",
            "COPSE_DATA_DIR": str(tmp_path / "data"),
        },
    )
    server.start()
    try:
        base = server.base_url
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            try:
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(f"{base}/login")
                page.fill("input[name=username]", user)
                page.fill("input[name=password]", password)
                page.click("button[type=submit]")
                page.wait_for_load_state()
                page.goto(f"{base}/patients/{patient_pk}")
                page.click("#clinical-links a[href$='/tracker']")
                page.wait_for_url(f"{base}/patients/{patient_pk}/tracker")
                values = page.eval_on_selector_all(
                    "svg#tracker-phq9-total circle.point",
                    "els => els.map(e => [e.dataset.when, e.dataset.value])",
                )
                assert [v for _, v in values] == [str(total) for _, total in expected]
                assert [w[:10] for w, _ in values] == [when[:10] for when, _ in expected]
                # The chart fits the page: no sideways scrolling, even on a phone.
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0
                box = page.locator("svg#tracker-phq9-total").bounding_box()
                assert box is not None and box["width"] <= width
                page.screenshot(
                    path=str(artifacts_dir / f"web-tracker-{width}.png"), full_page=True
                )
                page.click("a[href$='/clinical']")
                page.wait_for_url(f"{base}/patients/{patient_pk}/clinical")
                assert page.locator("li.clinical-task[data-table=phq9]").count() == len(expected)
                page.screenshot(
                    path=str(artifacts_dir / f"web-clinical-{width}.png"), full_page=True
                )
            finally:
                browser.close()
    finally:
        server.stop()
