"""Browser test of downloads: filter the task list, download, read the file back.

Chromium (Debian's) against a real server process.  With the background
threshold at one task row: the filtered download (one task) comes straight
back; the unfiltered one (two tasks) becomes a background job, shown on
"My downloads", whose link then fetches the file.
"""

from __future__ import annotations

import io
import secrets
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import ServerProcess
from tests.web.conftest import PASSWORD, World
from tests.web.test_browser import ARGS, CHROMIUM, pytestmark  # noqa: F401 - marks


@pytest.fixture
def server(world: World, tmp_path: Path) -> Iterator[ServerProcess]:
    s = ServerProcess(
        world.db.url,
        tmp_path / "server.log",
        extra_env={
            "COPSE_SECRET_KEY": secrets.token_urlsafe(48),
            "COPSE_ALLOW_INSECURE_COOKIES": "1",
            "COPSE_DATA_DIR": str(tmp_path / "data"),
            "COPSE_DOWNLOAD_BACKGROUND_ROWS": "1",
            "COPSE_DOWNLOAD_POLL_SECONDS": "0.05",
        },
    )
    s.start()
    yield s
    s.stop()


def test_filter_download_and_read_the_file(
    server: ServerProcess, world: World, tmp_path: Path, artifacts_dir: Path
) -> None:
    from playwright.sync_api import sync_playwright

    base = server.base_url
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
            page.goto(f"{base}/login")
            page.fill("input[name=username]", "root")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/tasks")

            # Filter the task list to group A's PHQ-9s, then download them as SQLite.
            page.goto(f"{base}/tasks?task_type=phq9&group_id={world.group_a}")
            assert "1 task" in page.inner_text("#count")
            page.click("#download-these")
            page.wait_for_url(f"{base}/downloads/new?*")
            page.select_option("select[name=format]", "sqlite")
            page.screenshot(path=str(artifacts_dir / "web-download-form.png"), full_page=True)
            with page.expect_download() as info:
                page.click("#download-submit")
            target = tmp_path / "browser.sqlite"
            info.value.save_as(target)
            db = sqlite3.connect(target)
            try:
                assert db.execute("SELECT count(*) FROM phq9").fetchone() == (1,)
                assert db.execute("SELECT surname FROM patient").fetchall() == [("Alpha",)]
            finally:
                db.close()

            # Everything (two tasks): a background job, fetched from My downloads.
            page.goto(f"{base}/downloads/new")
            page.select_option("select[name=format]", "csv")
            page.click("#download-submit")
            page.wait_for_url(f"{base}/downloads?queued=*")
            # The page refreshes itself until the job is done.
            page.wait_for_selector("#jobs tr[data-state=done] a.fetch", timeout=90_000)
            page.screenshot(path=str(artifacts_dir / "web-my-downloads.png"), full_page=True)
            with page.expect_download() as info:
                page.click("#jobs tr[data-state=done] a.fetch")
            target = tmp_path / "browser.zip"
            info.value.save_as(target)
            with zipfile.ZipFile(io.BytesIO(target.read_bytes())) as zf:
                rows = zf.read("phq9.csv").decode("utf-8").strip().splitlines()
                assert len(rows) == 3
        finally:
            browser.close()
