"""Background download jobs: their state in ``_download_jobs``, never in a process.

Life of a job: ``queued`` (submitted) -> ``running`` (claimed by one server
process with an atomic ``UPDATE ... WHERE state = 'queued'``, so two workers
or hosts never run it twice) -> ``done`` (file in the download folder) or
``failed`` (with a reason).  A done job's file is deleted when it expires
(``expired``) or when its owner deletes it (``deleted``).  A failed job can be
started again (back to ``queued``).

A running job renews a lease (``lease_until_utc``).  Housekeeping (at
start-up and every ``housekeeping_minutes``) marks failed every running job
whose lease ran out, or whose process on this host is gone, and removes its
half-written file.  Callers own the transaction; file removal is idempotent.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from copse.accounts.users import User
from copse.audit import audit
from copse.config import Settings
from copse.schema.tables import download_jobs as jobs
from copse.services.downloads.request import to_json
from copse.services.export import ExportError, ExportOptions
from copse.services.export.options import SUFFIXES

QUEUED, RUNNING, DONE, FAILED, EXPIRED, DELETED = (
    "queued",
    "running",
    "done",
    "failed",
    "expired",
    "deleted",
)
INTERRUPTED = (
    "Interrupted: the server process running this download stopped (a restart or a crash) "
    "before it finished. Its partial file was removed; start it again."
)


@dataclass(frozen=True)
class Job:
    id: int
    user_id: int
    options: str
    format: str
    state: str
    progress_rows: int
    total_rows: int | None
    reason: str | None
    file_name: str | None
    size_bytes: int | None
    created_utc: datetime
    started_utc: datetime | None
    finished_utc: datetime | None
    expires_utc: datetime | None
    owner: str | None

    @classmethod
    def from_row(cls, row: Any) -> Job:
        return cls(**{k: row._mapping[k] for k in cls.__dataclass_fields__})

    @property
    def download_name(self) -> str:
        """The file name offered to the browser."""
        return f"copse-download-{self.id}{SUFFIXES.get(self.format, '.bin')}"  # type: ignore[call-overload]


def _boot_id() -> str:
    """This machine's boot id (Linux): tells two hosts with one hostname apart."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()[:8]
    except OSError:
        return "-"


def owner_id() -> str:
    """This process, as written in a job it runs: ``host:boot:pid``."""
    return f"{socket.gethostname()}:{_boot_id()}:{os.getpid()}"


def partial_paths(folder: Path, job_id: int) -> list[Path]:
    """Every file a running job may leave half-written (the export stages beside it)."""
    p = folder / f"job-{job_id}.partial"
    return [p, p.with_name(p.name + ".stage")]


def final_path(folder: Path, job_id: int, fmt: str) -> Path:
    return folder / f"job-{job_id}{SUFFIXES.get(fmt, '.bin')}"  # type: ignore[call-overload]


def _remove(paths: list[Path]) -> None:
    for p in paths:
        p.unlink(missing_ok=True)


def get(conn: sa.Connection, job_id: int) -> Job | None:
    row = conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).first()
    return Job.from_row(row) if row is not None else None


def list_for_user(conn: sa.Connection, user_id: int, limit: int = 200) -> list[Job]:
    q = sa.select(jobs).where(jobs.c.user_id == user_id).order_by(jobs.c.id.desc()).limit(limit)
    return [Job.from_row(r) for r in conn.execute(q)]


def used_bytes(conn: sa.Connection, user_id: int) -> int:
    """Bytes of the user's kept files (done jobs)."""
    q = sa.select(sa.func.coalesce(sa.func.sum(jobs.c.size_bytes), 0)).where(
        jobs.c.user_id == user_id, jobs.c.state == DONE
    )
    return int(conn.execute(q).scalar_one())


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


#: Downloads one user may have waiting or running at once.
MAX_ACTIVE_JOBS = 3


def metric_readings(conn: sa.Connection) -> list[tuple[str, str, float]]:
    """Gauges for ``/metrics``: background downloads waiting, running, and failed on record."""
    rows = conn.execute(
        sa.select(jobs.c.state, sa.func.count())
        .where(jobs.c.state.in_((QUEUED, RUNNING, FAILED)))
        .group_by(jobs.c.state)
    ).all()
    counts: dict[str, int] = {str(state): int(n) for state, n in rows}
    return [
        ("copse_download_jobs_queued", "Background downloads waiting", counts.get(QUEUED, 0)),
        ("copse_download_jobs_running", "Background downloads running", counts.get(RUNNING, 0)),
        (
            "copse_download_jobs_failed",
            "Background downloads failed and kept on record",
            counts.get(FAILED, 0),
        ),
    ]


def check_quota(conn: sa.Connection, settings: Settings, user: User) -> None:
    """Refuse a new job to a user over their size quota or with too many jobs under way."""
    active = conn.execute(
        sa.select(sa.func.count())
        .select_from(jobs)
        .where(jobs.c.user_id == user.id, jobs.c.state.in_((QUEUED, RUNNING)))
    ).scalar_one()
    if active >= MAX_ACTIVE_JOBS:
        raise ExportError(
            f"quota: you already have {active} downloads waiting or running; "
            "wait until one has finished"
        )
    used = used_bytes(conn, user.id)
    if used >= settings.download_quota_bytes:
        raise ExportError(
            f"quota: your kept downloads take {_mb(used)} of your "
            f"{_mb(settings.download_quota_bytes)} quota; delete some on the My downloads "
            "page, or wait until they expire, before starting another"
        )


def submit(
    conn: sa.Connection,
    settings: Settings,
    user: User,
    opts: ExportOptions,
    *,
    estimate: int,
    now: datetime,
    remote_addr: str | None,
) -> int:
    """Queue a background download (checked already by ``prepare``); audited."""
    check_quota(conn, settings, user)
    key = conn.execute(
        sa.insert(jobs).values(
            user_id=user.id,
            options=to_json(opts),
            format=opts.format,
            state=QUEUED,
            progress_rows=0,
            total_rows=estimate,
            created_utc=now,
        )
    ).inserted_primary_key
    assert key is not None
    job_id = int(key[0])
    audit(
        conn,
        f"Download job {job_id} queued by {user.username!r}: {opts.describe()}; "
        f"about {estimate} task rows",
        source="webviewer",
        now=now,
        remote_addr=remote_addr,
        user_id=user.id,
    )
    return job_id


def _move(
    conn: sa.Connection,
    cond: list[sa.ColumnElement[bool]],
    values: dict[str, Any],
    *,
    note: str,
    user_id: int,
    now: datetime,
    remote_addr: str | None = None,
) -> bool:
    """Change a job's state only if it is still in the state ``cond`` expects, and audit it.

    Every transition is such a conditional UPDATE, so two workers (or a worker
    and the user) racing for one job cannot both win: the loser changes nothing.
    """
    n = conn.execute(sa.update(jobs).where(*cond).values(**values)).rowcount
    if n:
        audit(conn, note, source="webviewer", now=now, remote_addr=remote_addr, user_id=user_id)
    return bool(n)


def restart(
    conn: sa.Connection,
    settings: Settings,
    user: User,
    job_id: int,
    *,
    now: datetime,
    remote_addr: str | None,
) -> bool:
    """Queue a failed job of this user again; False if it is not (or no longer) failed."""
    check_quota(conn, settings, user)
    return _move(
        conn,
        [jobs.c.id == job_id, jobs.c.user_id == user.id, jobs.c.state == FAILED],
        dict(
            state=QUEUED,
            reason=None,
            progress_rows=0,
            started_utc=None,
            finished_utc=None,
            owner=None,
            lease_until_utc=None,
            created_utc=now,
        ),
        note=f"Download job {job_id} restarted by {user.username!r}",
        user_id=user.id,
        now=now,
        remote_addr=remote_addr,
    )


def delete(
    conn: sa.Connection,
    settings: Settings,
    user: User,
    job_id: int,
    *,
    now: datetime,
    remote_addr: str | None,
) -> bool:
    """Delete a finished job's file (and forget a failed one); False if nothing to delete."""
    job = get(conn, job_id)
    if job is None or job.user_id != user.id or job.state not in (DONE, FAILED):
        return False
    moved = _move(
        conn,
        [jobs.c.id == job_id, jobs.c.state == job.state],
        dict(state=DELETED, file_name=None),
        note=f"Download job {job_id} deleted by {user.username!r}",
        user_id=user.id,
        now=now,
        remote_addr=remote_addr,
    )
    if moved:
        folder = settings.effective_download_dir
        _remove([final_path(folder, job_id, job.format), *partial_paths(folder, job_id)])
    return moved


def claim(conn: sa.Connection, owner: str, now: datetime, lease_seconds: int) -> Job | None:
    """Take the oldest queued job for ``owner``; None if there is none left."""
    ids = (
        conn.execute(
            sa.select(jobs.c.id).where(jobs.c.state == QUEUED).order_by(jobs.c.id).limit(5)
        )
        .scalars()
        .all()
    )
    for job_id in ids:
        n = conn.execute(
            sa.update(jobs)
            .where(jobs.c.id == job_id, jobs.c.state == QUEUED)
            .values(
                state=RUNNING,
                owner=owner,
                started_utc=now,
                progress_rows=0,
                lease_until_utc=now + timedelta(seconds=lease_seconds),
            )
        ).rowcount
        if n == 1:
            return get(conn, job_id)
    return None


def heartbeat(
    conn: sa.Connection, job_id: int, owner: str, progress: int, now: datetime, lease_seconds: int
) -> bool:
    """Renew the lease and record progress; False if the job is no longer ours."""
    n = conn.execute(
        sa.update(jobs)
        .where(jobs.c.id == job_id, jobs.c.owner == owner, jobs.c.state == RUNNING)
        .values(progress_rows=progress, lease_until_utc=now + timedelta(seconds=lease_seconds))
    ).rowcount
    return bool(n)


def finish(
    conn: sa.Connection,
    settings: Settings,
    job: Job,
    owner: str,
    *,
    file_name: str,
    size: int,
    task_rows: int,
    details: str,
    now: datetime,
) -> bool:
    """Mark our running job done, with its audit entry; False if it was taken from us."""
    return _move(
        conn,
        [jobs.c.id == job.id, jobs.c.owner == owner, jobs.c.state == RUNNING],
        dict(
            state=DONE,
            file_name=file_name,
            size_bytes=size,
            progress_rows=task_rows,
            finished_utc=now,
            expires_utc=now + timedelta(hours=settings.download_keep_hours),
            lease_until_utc=None,
        ),
        note=f"Download job {job.id} done ({size} bytes). {details}",
        user_id=job.user_id,
        now=now,
    )


def fail(
    conn: sa.Connection,
    settings: Settings,
    job: Job,
    reason: str,
    *,
    now: datetime,
    owner: str | None = None,
) -> bool:
    """Mark a running job failed (only ours, if ``owner`` is given) and remove its files."""
    cond = [jobs.c.id == job.id, jobs.c.state == RUNNING]
    if owner is not None:
        cond.append(jobs.c.owner == owner)
    moved = _move(
        conn,
        cond,
        dict(state=FAILED, reason=reason, finished_utc=now, lease_until_utc=None, file_name=None),
        note=f"Download job {job.id} failed: {reason}",
        user_id=job.user_id,
        now=now,
    )
    if moved:
        folder = settings.effective_download_dir
        _remove([final_path(folder, job.id, job.format), *partial_paths(folder, job.id)])
    return moved


def _process_gone(owner: str | None) -> bool:
    """True if ``owner`` names a process on this machine (same host, same boot) that is gone."""
    parts = (owner or "").rsplit(":", 2)
    if len(parts) != 3 or not parts[2].isdigit():
        return False
    host, boot, pid = parts
    if host != socket.gethostname() or boot != _boot_id():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def recover(conn: sa.Connection, settings: Settings, now: datetime) -> list[int]:
    """Mark failed the running jobs whose process is gone (lease out, or dead on this host)."""
    rows = conn.execute(sa.select(jobs).where(jobs.c.state == RUNNING)).all()
    failed: list[int] = []
    for row in rows:
        job = Job.from_row(row)
        lease = row.lease_until_utc
        if (lease is not None and lease < now) or _process_gone(job.owner):
            if fail(conn, settings, job, INTERRUPTED, now=now, owner=job.owner):
                failed.append(job.id)
    return failed


def expire(conn: sa.Connection, settings: Settings, now: datetime) -> list[int]:
    """Delete the files of done jobs past their expiry time."""
    rows = conn.execute(
        sa.select(jobs.c.id, jobs.c.format).where(jobs.c.state == DONE, jobs.c.expires_utc < now)
    ).all()
    gone: list[int] = []
    for job_id, fmt in rows:
        n = conn.execute(
            sa.update(jobs)
            .where(jobs.c.id == job_id, jobs.c.state == DONE)
            .values(state=EXPIRED, file_name=None)
        ).rowcount
        if n:
            final_path(settings.effective_download_dir, job_id, fmt).unlink(missing_ok=True)
            gone.append(int(job_id))
    return gone


@dataclass(frozen=True)
class Housekept:
    interrupted: list[int]
    expired: list[int]

    def __str__(self) -> str:
        return (
            f"{len(self.interrupted)} interrupted download job(s) marked failed, "
            f"{len(self.expired)} expired download file(s) deleted"
        )


#: A streamed (small) download's temporary file older than this was orphaned
#: (its request failed after writing it); housekeeping removes it.
STREAM_FILE_MAX_AGE = timedelta(hours=1)


def sweep_stream_files(settings: Settings, now: datetime) -> int:
    """Remove orphaned ``stream-*.partial`` files of small downloads; how many."""
    folder = settings.effective_download_dir
    if not folder.is_dir():
        return 0
    cutoff = (now - STREAM_FILE_MAX_AGE).replace(tzinfo=UTC).timestamp()
    gone = 0
    for p in folder.glob("stream-*.partial"):
        try:
            if p.stat().st_mtime < cutoff:
                p.unlink()
                gone += 1
        except FileNotFoundError:
            pass
    return gone


def housekeep(conn: sa.Connection, settings: Settings, now: datetime) -> Housekept:
    sweep_stream_files(settings, now)
    return Housekept(recover(conn, settings, now), expire(conn, settings, now))


def file_for(conn: sa.Connection, settings: Settings, user_id: int, job_id: int) -> Path | None:
    """The finished file of this user's job, or None (not theirs, not done, gone)."""
    job = get(conn, job_id)
    if job is None or job.user_id != user_id or job.state != DONE or not job.file_name:
        return None
    path = settings.effective_download_dir / job.file_name
    return path if path.is_file() else None
