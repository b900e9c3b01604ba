"""Read API operations on downloads: start one, list and poll them, fetch the file.

A download started through the API is always a background job (whatever its
size), so a program has one thing to do: start, poll until ``done``, fetch.
The request body takes the web form's fields (the task list's filter names,
``format`` and the options), as JSON; a bad value is a 400 naming the field,
and nothing is queued. The checks, the quota and the job itself are the
download service's (:mod:`copse.services.downloads`), shared with the web.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import FileResponse, Response

from copse.accounts.users import User, get_user_by_id
from copse.config import Settings
from copse.readapi.endpoint import ApiContext, ApiError, Json, Operation, not_found
from copse.readapi.params import Param
from copse.services.downloads import jobs
from copse.services.downloads.request import Fields, may_download, options_from_fields, prepare
from copse.services.export import ExportError
from copse.services.export.options import SUFFIXES

#: Fields of the request body that hold several values.
LIST_FIELDS = ("group_id", "task_type")
#: Every field the request body may hold.
BODY_FIELDS = (
    *LIST_FIELDS,
    "format",
    "which_idnum",
    "idnum_value",
    "created_from",
    "created_to",
    "complete_only",
    "era",
    "all_versions",
    "deidentify",
    "blobs",
)
MEDIA_TYPES = {
    "csv": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sqlite": "application/vnd.sqlite3",
}
JOB_PARAM = Param("job_id", "int", "The download job's number", location="path")


def _settings(ctx: ApiContext) -> Settings:
    if ctx.settings is None:
        raise ApiError(503, "Downloads are not available on this server")
    return ctx.settings


def _downloader(ctx: ApiContext) -> User:
    user = get_user_by_id(ctx.conn, ctx.user.id)
    if user is None:
        raise not_found()
    if not may_download(ctx.conn, user):
        raise ApiError(403, 'You may not download data (the "may download data" permission)')
    return user


def _text(name: str, value: Any) -> str:
    """One JSON value as the form would send it; a bad type names the field."""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, int | str):
        return str(value)
    if value is None:
        return ""
    raise ApiError(400, f"{name}: must be a string, a number or true/false")


def body_fields(body: Mapping[str, Any]) -> Fields:
    """The JSON body as form fields; an unknown field is a 400 naming it."""
    out: dict[str, list[str]] = {}
    for name, value in body.items():
        if name not in BODY_FIELDS:
            raise ApiError(400, f"{name}: unknown field (allowed: {', '.join(BODY_FIELDS)})")
        values = value if isinstance(value, list) and name in LIST_FIELDS else [value]
        out[name] = [_text(name, v) for v in values]
    return out


def describe(job: jobs.Job) -> Json:
    """A job as the API shows it (its file's URL once it is done)."""
    done = job.state == jobs.DONE
    return {
        "id": job.id,
        "state": job.state,
        "format": job.format,
        "progress_rows": job.progress_rows,
        "total_rows": job.total_rows,
        "reason": job.reason,
        "size_bytes": job.size_bytes,
        "created_utc": job.created_utc.isoformat(),
        "finished_utc": job.finished_utc.isoformat() if job.finished_utc else None,
        "expires_utc": job.expires_utc.isoformat() if job.expires_utc else None,
        "url": f"/read/v1/downloads/{job.id}",
        "file_url": f"/read/v1/downloads/{job.id}/file" if done else None,
    }


def start_download(ctx: ApiContext) -> Json:
    settings = _settings(ctx)
    user = _downloader(ctx)
    opts, errors = options_from_fields(body_fields(ctx.body))
    if opts is None:
        raise ApiError(400, "; ".join(errors))
    try:
        estimate = prepare(ctx.conn, user, opts)
        job_id = jobs.submit(
            ctx.conn,
            settings,
            user,
            opts,
            estimate=estimate,
            now=ctx.now,
            remote_addr=ctx.request.client.host if ctx.request.client else None,
        )
    except ExportError as exc:
        raise ApiError(400, exc.message) from None
    job = jobs.get(ctx.conn, job_id)
    assert job is not None
    ctx.rows = estimate
    return describe(job)


def _own_job(ctx: ApiContext) -> jobs.Job:
    job = jobs.get(ctx.conn, ctx.params["job_id"])
    if job is None or job.user_id != ctx.user.id or job.state == jobs.DELETED:
        raise not_found()
    return job


def list_downloads(ctx: ApiContext) -> Json:
    items = [
        describe(j) for j in jobs.list_for_user(ctx.conn, ctx.user.id) if j.state != jobs.DELETED
    ]
    ctx.rows = len(items)
    return {"items": items}


def get_download(ctx: ApiContext) -> Json:
    return describe(_own_job(ctx))


def fetch_download(ctx: ApiContext) -> Response:
    job = _own_job(ctx)
    path = jobs.file_for(ctx.conn, _settings(ctx), ctx.user.id, job.id)
    if path is None:
        raise ApiError(409, f"Download {job.id} has no file to fetch (state: {job.state})")
    ctx.rows = job.progress_rows
    fmt = job.format if job.format in MEDIA_TYPES else "csv"
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[fmt],
        filename=f"copse-download-{job.id}{SUFFIXES[fmt]}",  # type: ignore[index]
    )


OPERATIONS = (
    Operation(
        "/downloads",
        "startDownload",
        "Start a download",
        "Queue a download as a background job. JSON body: the task list's filters "
        "(group_id and task_type as lists, which_idnum + idnum_value, created_from, "
        "created_to as YYYY-MM-DD, complete_only, era live|finalized|all), format "
        "csv|xlsx|sqlite, and all_versions, deidentify, blobs (true/false). Needs the "
        '"may download data" permission. Poll the job, then fetch its file.',
        start_download,
        (),
        schema="DownloadJob",
        method="POST",
        tags=("downloads",),
    ),
    Operation(
        "/downloads",
        "listDownloads",
        "Your downloads",
        "Your download jobs, newest first, with their state and, once done, their file's URL.",
        list_downloads,
        (),
        schema="DownloadJobList",
        tags=("downloads",),
    ),
    Operation(
        "/downloads/{job_id}",
        "getDownload",
        "One download",
        "One of your download jobs: queued, running (with progress), done, failed (with the "
        "reason) or expired.",
        get_download,
        (JOB_PARAM,),
        schema="DownloadJob",
        tags=("downloads",),
    ),
    Operation(
        "/downloads/{job_id}/file",
        "fetchDownload",
        "A download's file",
        "The finished file of one of your download jobs (409 while it is not done).",
        fetch_download,
        (JOB_PARAM,),
        schema="Binary",
        media_type="application/octet-stream",
        tags=("downloads",),
    ),
)
