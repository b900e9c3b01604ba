"""Starting a web download: small ones are written at once, big ones are queued.

The caller (the web form, the read API) owns the transaction.  A small
download (estimated at most ``download_background_rows`` task rows) is
written now to a temporary file in the download folder and audited in the
caller's transaction; the caller streams it back and deletes it.  A bigger
one becomes a background job (:mod:`~copse.services.downloads.jobs`).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from copse.accounts.users import User
from copse.config import Settings
from copse.services.downloads import jobs
from copse.services.downloads.request import prepare
from copse.services.export import ExportOptions, run_export
from copse.services.export.options import SUFFIXES


@dataclass(frozen=True)
class Started:
    """Either a finished small file (``path``, ``name``) or a queued job (``job_id``)."""

    estimate: int
    path: Path | None = None
    name: str = ""
    job_id: int | None = None


def start(
    conn: sa.Connection,
    settings: Settings,
    user: User,
    opts: ExportOptions,
    *,
    now: datetime,
    remote_addr: str | None,
) -> Started:
    """Check the request, then write it now or queue it; raises ExportError."""
    estimate = prepare(conn, user, opts)
    if estimate > settings.download_background_rows:
        job_id = jobs.submit(
            conn, settings, user, opts, estimate=estimate, now=now, remote_addr=remote_addr
        )
        return Started(estimate, job_id=job_id)
    folder = settings.effective_download_dir
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="stream-", suffix=".partial", dir=folder)
    os.close(fd)
    path = Path(name)
    try:
        run_export(conn, user, opts, path, now=now, source="webviewer", remote_addr=remote_addr)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    stamp = now.strftime("%Y%m%d-%H%M%S")
    return Started(estimate, path=path, name=f"copse-download-{stamp}{SUFFIXES[opts.format]}")
