"""Two-factor login in Chromium against a real server process.

Enrol (the key is read from the text beside the QR code and the codes are
computed here with pyotp: the test chooses the instant of each code, so it
controls the time source of the authenticator app), log out, log in with
password and code, see a replayed code refused, log in once with a recovery
code and see it refused the second time, then lock the account with wrong
codes.  Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest

from tests.support.server import ServerProcess
from tests.web.conftest import PASSWORD, World
from tests.web.test_browser import ARGS, CHROMIUM, pytestmark  # noqa: F401 - marks


@pytest.fixture
def live3(world: World, tmp_path: Path) -> Iterator[ServerProcess]:
    """The web server with a lockout after 3 failures."""
    server = ServerProcess(
        world.db.url,
        tmp_path / "server.log",
        extra_env={
            "COPSE_SECRET_KEY": secrets.token_urlsafe(48),
            "COPSE_ALLOW_INSECURE_COOKIES": "1",
            "COPSE_DATA_DIR": str(tmp_path / "data"),
            "COPSE_LOCKOUT_THRESHOLD": "3",
        },
    )
    server.start()
    yield server
    server.stop()


def test_totp_enrol_login_recovery_and_lockout(
    live3: ServerProcess, world: World, artifacts_dir: Path
) -> None:
    from playwright.sync_api import Page, sync_playwright

    base = live3.base_url

    def password_step(page: Page) -> None:
        page.goto(f"{base}/login")
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/login/mfa.*"))

    def code_step(page: Page, code: str) -> None:
        page.fill("input[name=code]", code)
        page.click("main button[type=submit]")
        page.wait_for_load_state()

    def log_out(page: Page) -> None:
        page.click("button:has-text('Log out')")
        page.wait_for_url(f"{base}/login")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{base}/login")
            page.fill("input[name=username]", "alice")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/tasks")

            # Enrol: QR code and typed key; a wrong code first.
            page.click("a[href='/mfa']")
            page.click("button:has-text('Set up two-factor login')")
            # count() does not wait: wait for the enrolment page (a POST's response) first.
            page.wait_for_selector("#mfa-secret")
            assert page.locator(".qr svg").count() == 1
            secret = page.inner_text("#mfa-secret").replace(" ", "")
            totp = pyotp.TOTP(secret)
            page.screenshot(path=str(artifacts_dir / "web-mfa-enrol.png"), full_page=True)
            code_step(page, totp.at(time.time() + 600))
            assert "does not match" in page.inner_text("main")
            at = time.time()
            code_step(page, totp.at(at))
            assert "Two-factor login is on" in page.inner_text("h1")
            codes = [c.strip() for c in page.locator(".recovery-codes code").all_inner_texts()]
            assert len(codes) == 10
            page.click("text=Go on")
            log_out(page)

            # Password, then a code: the enrolment's code is used up; the next one works.
            password_step(page)
            page.screenshot(path=str(artifacts_dir / "web-mfa-code.png"), full_page=True)
            code_step(page, totp.at(at))
            assert "already been used" in page.inner_text("main")
            code_step(page, totp.at(at + 30))
            page.wait_for_url(f"{base}/tasks")
            log_out(page)

            # A recovery code works once.
            password_step(page)
            code_step(page, codes[0])
            page.wait_for_url(f"{base}/tasks")
            log_out(page)
            password_step(page)
            code_step(page, codes[0])
            assert "already been used" in page.inner_text("main")

            # Wrong codes count as failed logins: the third locks the account.
            code_step(page, "abcde-fghij")
            code_step(page, "000000" if totp.at(at + 30) != "000000" else "111111")
            assert "locked" in page.inner_text("main")
            page.screenshot(path=str(artifacts_dir / "web-mfa-locked.png"), full_page=True)
            page.goto(f"{base}/login")
            page.fill("input[name=username]", "alice")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            assert "locked" in page.inner_text("main")
        finally:
            browser.close()
