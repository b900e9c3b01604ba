"""Running background download jobs inside a server process.

:func:`run_next` claims one queued job (any worker on any host may; the
claim is atomic in the database) and runs it:

* the export reads in ONE read-only transaction (on SQLite it then runs
  beside writers instead of holding the write lock for minutes), writing to
  ``job-N.partial`` in the download folder;
* a heartbeat thread renews the job's lease and records progress in short
  transactions of its own, so housekeeping elsewhere can tell a live job
  from one whose process died;
* at the end the file is renamed to ``job-N.<suffix>`` and the job marked
  done, with its audit entry, in one transaction; any failure marks it
  failed with a reason and removes its files.

A server shutting down sets ``stop``: the job stops at its next batch and is
marked failed ("start it again"), rather than left for the lease to expire.
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import datetime

import sqlalchemy as sa

from copse.accounts.users import get_user_by_id
from copse.config import Settings
from copse.db.tx import run_in_transaction, transaction
from copse.services.downloads import jobs
from copse.services.downloads.request import from_json
from copse.services.export import ExportError, ExportResult, run_export
from copse.services.export.access import pseudonym_key
from copse.wire.dates import utcnow

logger = logging.getLogger(__name__)

STOPPED = "The server was shut down while this download was running; start it again."
BROKEN = "An internal error stopped this download (it has been logged); start it again."


class JobStopped(Exception):
    """The server is shutting down."""


class _Heartbeat:
    """Renews a job's lease (and writes its progress) until stopped."""

    def __init__(self, engine: sa.Engine, settings: Settings, job_id: int, owner: str) -> None:
        self.engine, self.settings, self.job_id, self.owner = engine, settings, job_id, owner
        self.progress = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"download-job-{job_id}", daemon=True)

    def _run(self) -> None:
        interval = max(0.05, min(2.0, self.settings.download_lease_seconds / 3))
        while not self.done.wait(interval):
            try:
                run_in_transaction(
                    self.engine,
                    lambda conn: jobs.heartbeat(
                        conn,
                        self.job_id,
                        self.owner,
                        self.progress,
                        utcnow(),
                        self.settings.download_lease_seconds,
                    ),
                )
            except Exception:  # a missed beat is retried; the lease is three beats long
                logger.exception("Download job %s: heartbeat failed", self.job_id)

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()


def _claim(engine: sa.Engine, settings: Settings, owner: str) -> jobs.Job | None:
    def work(conn: sa.Connection) -> jobs.Job | None:
        job = jobs.claim(conn, owner, utcnow(), settings.download_lease_seconds)
        try:
            deidentify = job is not None and from_json(job.options).deidentify
        except ExportError:
            deidentify = False  # the job fails with this message when it runs
        if deidentify:
            # Created now, in a writing transaction: the export itself only reads.
            pseudonym_key(conn)
        return job

    return run_in_transaction(engine, work)


def _export(
    engine: sa.Engine,
    job: jobs.Job,
    target: os.PathLike[str],
    beat: _Heartbeat,
    stop: threading.Event,
) -> ExportResult:
    def progress(done: int, total: int) -> None:
        beat.progress = done
        if stop.is_set():
            raise JobStopped

    with transaction(engine, read_only=True) as conn:
        user = get_user_by_id(conn, job.user_id)
        if user is None:
            raise ExportError("user: the account that asked for this download no longer exists")
        return run_export(
            conn,
            user,
            from_json(job.options),
            target,  # type: ignore[arg-type]
            now=utcnow(),
            source="webviewer",
            progress=progress,
            audit_entry=False,
        )


def _end(engine: sa.Engine, settings: Settings, job: jobs.Job, owner: str, why: str) -> None:
    run_in_transaction(
        engine, lambda conn: jobs.fail(conn, settings, job, why, now=utcnow(), owner=owner)
    )


def run_job(
    engine: sa.Engine, settings: Settings, job: jobs.Job, owner: str, stop: threading.Event
) -> str:
    """Run one claimed job to its end; returns its final state."""
    folder = settings.effective_download_dir
    folder.mkdir(parents=True, exist_ok=True)
    partial = jobs.partial_paths(folder, job.id)[0]
    final = jobs.final_path(folder, job.id, job.format)
    partial.touch()
    try:
        with _Heartbeat(engine, settings, job.id, owner) as beat:
            result = _export(engine, job, partial, beat, stop)
    except ExportError as exc:
        _end(engine, settings, job, owner, exc.message)
        return jobs.FAILED
    except JobStopped:
        _end(engine, settings, job, owner, STOPPED)
        return jobs.FAILED
    except Exception:
        logger.exception("Download job %s failed", job.id)
        _end(engine, settings, job, owner, BROKEN)
        return jobs.FAILED
    if result.writer_peak_mb is not None:
        logger.info(
            "Download job %s: file written by a second process (peak RSS %.0f MB)",
            job.id,
            result.writer_peak_mb,
        )
    os.replace(partial, final)
    size = final.stat().st_size
    ended: datetime = utcnow()
    try:
        ok = run_in_transaction(
            engine,
            lambda conn: jobs.finish(
                conn,
                settings,
                job,
                owner,
                file_name=final.name,
                size=size,
                task_rows=result.task_rows,
                details=result.details,
                now=ended,
            ),
        )
    except Exception:
        final.unlink(missing_ok=True)
        raise
    if not ok:  # declared dead meanwhile (e.g. the lease ran out): the file is not ours
        final.unlink(missing_ok=True)
        return jobs.FAILED
    return jobs.DONE


def run_next(engine: sa.Engine, settings: Settings, stop: threading.Event) -> int | None:
    """Claim and run one queued job; its id, or None if there was none."""
    if stop.is_set():
        return None
    owner = jobs.owner_id()
    job = _claim(engine, settings, owner)
    if job is None:
        return None
    state = run_job(engine, settings, job, owner, stop)
    logger.info("Download job %s ended %s", job.id, state)
    return job.id
