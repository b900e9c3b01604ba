"""Downloads in the web front end: the form, "My downloads", fetching a file.

The form takes the task list's filters (same field names, so the task list
links here with its own query string) plus a format and options; each bad
value is reported naming its field, and nothing is written or queued.
Small downloads come straight back; bigger ones become background jobs
(:mod:`copse.services.downloads`), listed on "My downloads".  Only a job's
owner may fetch its file or restart it; anyone else gets 404.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from starlette.background import BackgroundTask
from starlette.responses import FileResponse, Response

from copse.accounts.users import User, get_user_by_id
from copse.records import rows as records
from copse.schema.registry import TABLES, TASK_TABLES
from copse.services.downloads import jobs
from copse.services.downloads.request import (
    group_choices,
    may_download,
    options_from_fields,
    unsupported_filters,
)
from copse.services.downloads.start import start
from copse.services.export import ERAS, FORMATS, ExportError
from copse.web.endpoint import HttpError, WebContext, forbidden, not_found, page, redirect
from copse.web.forms import parse_int

MEDIA_TYPES = {
    "csv": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sqlite": "application/vnd.sqlite3",
}


def _user(ctx: WebContext) -> User:
    assert ctx.user is not None
    user = get_user_by_id(ctx.conn, ctx.user.id)
    if user is None:
        raise not_found()
    if not may_download(ctx.conn, user):
        raise forbidden(
            "You may not download data: ask an administrator for the "
            '"may download data" permission in your group.'
        )
    return user


def _form_page(
    ctx: WebContext,
    user: User,
    values: Mapping[str, Sequence[str]],
    errors: list[str],
    status: int = 200,
) -> Response:
    return ctx.render(
        "download_form.html",
        status_code=status,
        title="Download data",
        errors=errors,
        v=values,
        formats=FORMATS,
        eras=ERAS,
        groups=group_choices(ctx.conn, user),
        idnum_defs=records.idnum_definitions_list(ctx.conn),
        task_tables=[(t, TABLES[t].shortname or t) for t in TASK_TABLES],
        threshold=ctx.settings.download_background_rows,
    )


@page()
def download_form(ctx: WebContext) -> Response:
    """GET: the form, filled from the query string (the task list links here)."""
    user = _user(ctx)
    if ctx.request.method != "POST":
        values = {k: ctx.request.query_params.getlist(k) for k in ctx.request.query_params}
        notes = [
            f"The task list's {label} filter cannot be applied to a download; it is left out."
            for label in unsupported_filters(values)
        ]
        return _form_page(ctx, user, values, notes)
    opts, errors = options_from_fields(ctx.form)
    if opts is None:
        return _form_page(ctx, user, ctx.form, errors, 400)
    try:
        started = start(
            ctx.conn, ctx.settings, user, opts, now=ctx.now, remote_addr=ctx.remote_addr
        )
    except ExportError as exc:
        return _form_page(ctx, user, ctx.form, [exc.message], 400)
    if started.path is None:
        return redirect(f"/downloads?queued={started.job_id}")
    path = started.path
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[opts.format],
        filename=started.name,
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


@page()
def my_downloads(ctx: WebContext) -> Response:
    assert ctx.user is not None
    rows = jobs.list_for_user(ctx.conn, ctx.user.id)
    return ctx.render(
        "downloads.html",
        title="My downloads",
        jobs=rows,
        queued=parse_int(ctx.param("queued")),
        busy=any(j.state in (jobs.QUEUED, jobs.RUNNING) for j in rows),
        used=jobs.used_bytes(ctx.conn, ctx.user.id),
        quota=ctx.settings.download_quota_bytes,
    )


@page()
def download_file(ctx: WebContext) -> Response:
    assert ctx.user is not None
    job_id = int(ctx.request.path_params["job_id"])
    path = jobs.file_for(ctx.conn, ctx.settings, ctx.user.id, job_id)
    job = jobs.get(ctx.conn, job_id)
    if path is None or job is None:
        raise not_found()
    ctx.audit(f"Fetched download job {job_id} ({job.size_bytes} bytes)")
    return FileResponse(path, media_type=MEDIA_TYPES.get(job.format), filename=job.download_name)


def _job_action(ctx: WebContext, action: str) -> Response:
    assert ctx.user is not None
    if ctx.request.method != "POST":
        raise HttpError(405)
    user = get_user_by_id(ctx.conn, ctx.user.id)
    job_id = int(ctx.request.path_params["job_id"])
    job = jobs.get(ctx.conn, job_id)
    if user is None or job is None or job.user_id != user.id:
        raise not_found()
    now, ip = ctx.now, ctx.remote_addr
    try:
        if action == "restart":
            if not may_download(ctx.conn, user):
                raise forbidden("You may no longer download data.")
            ok = jobs.restart(ctx.conn, ctx.settings, user, job_id, now=now, remote_addr=ip)
            why = "Only a failed download can be started again."
        else:
            ok = jobs.delete(ctx.conn, ctx.settings, user, job_id, now=now, remote_addr=ip)
            why = "Only a finished or failed download can be deleted."
    except ExportError as exc:
        raise HttpError(400, exc.message) from None
    if not ok:
        raise HttpError(400, why)
    return redirect("/downloads")


@page()
def download_restart(ctx: WebContext) -> Response:
    return _job_action(ctx, "restart")


@page()
def download_delete(ctx: WebContext) -> Response:
    return _job_action(ctx, "delete")
