"""Browser test of the administration flow, with data uploaded by the tablet simulator.

Log in as a superuser; a tablet uploads (method "copy": the records stay
live on the device); find the tasks in both list modes; force-finalize the
device and see the tasks become finalized; add a special note; erase a task;
see the audit entries.  Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.support.server import ServerProcess
from tests.support.tablet import Tablet, nhs_number
from tests.web import factories as fx
from tests.web.conftest import PASSWORD, World
from tests.web.test_browser import ARGS, CHROMIUM, pytestmark  # noqa: F401 - marks


@pytest.fixture
def tablet(live: ServerProcess, world: World, cli: Cli) -> Iterator[Tablet]:
    cli(
        "group",
        "set-policy",
        "groupa",
        "--upload",
        "sex AND ((forename AND surname AND dob) OR anyidnum)",
        "--finalize",
        "sex AND forename AND surname AND dob AND idnum1",
    )
    cli(
        "user",
        "add",
        "uploader",
        "--password",
        "uploader-password-1",
        "--group",
        "groupa",
        "--may-upload",
        "--may-register-devices",
        "--no-webviewer",
    )
    t = Tablet(live.api_url, "uploader", "uploader-password-1")
    t.register("Ward tablet")
    pid = t.add_patient(nhs=nhs_number(7), forename="DORA", surname="DELTA", dob="1975-05-05")
    t.create("phq9", patient_id=pid, **fx.PHQ9_COMPLETE)
    t.create("bmi", patient_id=pid, height_m=1.6, mass_kg=60.0)
    out = t.upload("copy")
    assert out.ok, out.error
    yield t
    t.http.close()


def test_admin_flow_in_the_browser(
    live: ServerProcess,
    world: World,
    tablet: Tablet,
    artifacts_dir: Path,
) -> None:
    from playwright.sync_api import sync_playwright

    base = live.base_url
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{base}/login")
            page.fill("input[name=username]", "root")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/tasks")

            # Both list modes find the uploaded tasks, identically.
            links = {}
            for via in ("index", "direct"):
                page.goto(f"{base}/tasks?surname=delta&via={via}")
                assert "2 tasks" in page.inner_text("#count")
                links[via] = page.eval_on_selector_all(
                    "table.tasks a[href^='/tasks/']", "els => els.map(e => e.getAttribute('href'))"
                )
                page.screenshot(
                    path=str(artifacts_dir / f"web-admin-tasks-{via}.png"), full_page=True
                )
            assert links["index"] == links["direct"] and len(links["index"]) == 2
            page.click("#via a")  # the visible toggle goes back to the index
            assert "via the index" in page.inner_text("#via strong")

            # Force-finalize the tablet's device, via the preview.
            page.goto(f"{base}/admin/finalize")
            page.screenshot(path=str(artifacts_dir / "web-admin-finalize-list.png"), full_page=True)
            page.click("a:has-text('Preview') >> nth=-1")
            assert "Records that will be finalized" in page.content()
            assert page.locator("#preview-tasks tbody tr").count() == 2
            page.screenshot(
                path=str(artifacts_dir / "web-admin-finalize-preview.png"), full_page=True
            )
            page.click("#confirm-finalize")
            assert "were finalized" in page.content()
            page.click('a:has-text("See the device\'s tasks")')
            assert "2 tasks" in page.inner_text("#count")
            assert page.locator("table.tasks .tag.final").count() == 2
            page.screenshot(path=str(artifacts_dir / "web-admin-finalized.png"), full_page=True)
            for via in ("index", "direct"):
                page.goto(f"{base}/tasks?surname=delta&era=finalized&via={via}")
                assert "2 tasks" in page.inner_text("#count")

            # Open a task, then its patient: both tasks listed, the same both ways.
            phq9 = [u for u in links["index"] if "/phq9/" in u][0]
            page.goto(f"{base}{phq9}")
            page.click("a[href^='/patients/']")
            assert "DELTA" in page.inner_text("h1")
            patient_url = page.url.split("?")[0]
            patient_links = {}
            for via in ("index", "direct"):
                page.goto(f"{patient_url}?via={via}")
                patient_links[via] = page.eval_on_selector_all(
                    "a[href^='/tasks/']", "els => els.map(e => e.getAttribute('href'))"
                )
            assert patient_links["index"] == patient_links["direct"]
            assert sorted(set(patient_links["index"])) == sorted(links["index"])
            page.screenshot(path=str(artifacts_dir / "web-admin-patient.png"), full_page=True)

            # A special note on the PHQ-9.
            page.goto(f"{base}{phq9}")
            page.fill("textarea[name=note]", "Checked with the patient by phone")
            page.click("button:has-text('Add note')")
            assert "Checked with the patient by phone" in page.inner_text("#notes")
            page.screenshot(path=str(artifacts_dir / "web-admin-note.png"), full_page=True)

            # Erase it, leaving a placeholder.
            page.click("#erase-link")
            page.screenshot(path=str(artifacts_dir / "web-admin-erase.png"), full_page=True)
            page.click("#confirm-erase")
            page.wait_for_url(f"{base}{phq9}")
            assert "erased" in page.content()
            for via in ("index", "direct"):
                page.goto(f"{base}/tasks?surname=delta&via={via}")
                assert "1 task" in page.inner_text("#count")

            # The audit trail shows all of it.
            page.goto(f"{base}/audit")
            text = page.content()
            for entry in (
                "forcibly finalized",
                "Special note applied manually",
                "Task details erased manually",
            ):
                assert entry in text, entry
            page.screenshot(path=str(artifacts_dir / "web-admin-audit.png"), full_page=True)
        finally:
            browser.close()
