"""Wiring of the web front end into the Starlette app: routes, errors, headers.

``install(app, settings, engine)`` is the only hook ``copse.app`` calls; the
client API routes (``/api``, ``/database``) are left exactly as they were and
get none of the web's headers or error pages.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from copse.config import Settings
from copse.turns import InFlight
from copse.web import (
    views_accounts,
    views_admin,
    views_auth,
    views_clinical,
    views_downloads,
    views_manage,
    views_mfa,
    views_patients,
    views_records,
    views_settings,
    views_spatient_edit,
    views_spatients,
    views_tasks,
    views_tokens,
)
from copse.web.endpoint import ERROR_TITLES, WebConfig
from copse.web.security import (
    API_PATHS,
    SECURITY_HEADERS,
    SecretKey,
    SecurityHeadersMiddleware,
    insecure_cookies_allowed,
)

logger = logging.getLogger(__name__)

GET = ["GET", "HEAD"]
GET_POST = ["GET", "HEAD", "POST"]


async def favicon(request: Request) -> Response:
    """Browsers ask for /favicon.ico; the icon is an SVG under /static."""
    return RedirectResponse("/static/favicon.svg", status_code=301)


def routes() -> list[Route | Mount]:
    return [
        Route("/", views_auth.home, methods=GET),
        Route("/login", views_auth.login_page, methods=GET_POST),
        Route("/login/mfa", views_auth.login_code_page, methods=GET_POST),
        Route("/mfa", views_mfa.mfa_page, methods=GET_POST),
        Route("/logout", views_auth.logout_page, methods=["POST"]),
        Route("/change-password", views_auth.change_password, methods=GET_POST),
        Route("/api-tokens", views_tokens.tokens_view, methods=GET_POST),
        Route("/tasks", views_tasks.task_list, methods=GET),
        Route("/tasks/{table:str}/{pk:int}", views_tasks.task_view, methods=GET),
        Route("/tasks/{table:str}/{pk:int}.pdf", views_tasks.task_pdf, methods=GET),
        Route("/blobs/{pk:int}", views_tasks.blob_view, methods=GET),
        Route("/patients", views_patients.patient_list, methods=GET),
        Route("/patients/{pk:int}", views_patients.patient_view, methods=GET),
        Route("/patients/{pk:int}/tracker", views_clinical.tracker_view, methods=GET),
        Route("/patients/{pk:int}/clinical", views_clinical.clinical_view, methods=GET),
        Route("/patients/{pk:int}/tracker.pdf", views_clinical.tracker_pdf, methods=GET),
        Route("/patients/{pk:int}/clinical.pdf", views_clinical.clinical_pdf, methods=GET),
        Route("/tracker", views_clinical.tracker_view, methods=GET),
        Route("/clinical", views_clinical.clinical_view, methods=GET),
        Route("/tasks/{table:str}/{pk:int}/erase", views_manage.erase_task, methods=GET_POST),
        Route("/patients/{pk:int}/edit", views_records.patient_edit, methods=GET_POST),
        Route("/notes/add", views_records.note_add, methods=["POST"]),
        Route("/notes/{note_id:int}/hide", views_records.note_hide, methods=["POST"]),
        Route("/admin", views_admin.admin_index, methods=GET),
        Route("/admin/settings", views_settings.settings_view, methods=GET_POST),
        Route("/favicon.ico", favicon, methods=GET),
        Route("/admin/finalize", views_manage.finalize_list, methods=GET),
        Route("/admin/finalize/{device_id:int}", views_manage.finalize_device, methods=GET_POST),
        Route("/admin/delete-patient", views_manage.delete_patient, methods=GET_POST),
        Route("/admin/users", views_accounts.users_view, methods=GET_POST),
        Route("/admin/users/{user_id:int}", views_accounts.user_edit, methods=GET_POST),
        Route("/admin/groups", views_accounts.groups_view, methods=GET_POST),
        Route("/admin/groups/{group_id:int}", views_accounts.group_edit, methods=GET_POST),
        Route("/admin/idnums", views_accounts.idnums_view, methods=GET_POST),
        Route("/admin/server-patients", views_spatients.server_patients_view, methods=GET_POST),
        Route(
            "/admin/server-patients/{pk:int}/edit",
            views_spatient_edit.server_patient_edit,
            methods=GET_POST,
        ),
        Route(
            "/admin/server-patients/{pk:int}/delete",
            views_spatient_edit.server_patient_delete,
            methods=GET_POST,
        ),
        Route(
            "/admin/schedules/{schedule_id:int}",
            views_spatient_edit.schedule_edit,
            methods=["POST"],
        ),
        Route(
            "/admin/schedule-assignments/{assignment_id:int}/delete",
            views_spatient_edit.assignment_delete,
            methods=["POST"],
        ),
        Route("/devices/{device_id:int}/uploads", views_admin.device_uploads, methods=GET),
        Route("/audit", views_admin.audit_view, methods=GET),
        Route("/downloads", views_downloads.my_downloads, methods=GET),
        Route("/downloads/new", views_downloads.download_form, methods=GET_POST),
        Route("/downloads/{job_id:int}/file", views_downloads.download_file, methods=GET),
        Route(
            "/downloads/{job_id:int}/restart", views_downloads.download_restart, methods=["POST"]
        ),
        Route("/downloads/{job_id:int}/delete", views_downloads.download_delete, methods=["POST"]),
        Route("/devices", views_admin.devices_view, methods=GET),
        Mount("/static", StaticFiles(packages=[("copse.web", "static")]), name="static"),
    ]


def install(
    app: Starlette, settings: Settings, engine: sa.Engine, tablet_requests: InFlight | None = None
) -> None:
    """Add the web front end to an app that already serves the client API.

    ``tablet_requests``: the client-API requests in flight (``web_page_pause``).
    """
    config = WebConfig(
        settings=settings,
        engine=engine,
        secret=SecretKey(settings.data_dir),
        secure_cookies=not insecure_cookies_allowed(settings),
        tablet_requests=tablet_requests,
    )
    app.state.web = config
    for r in routes():
        app.router.routes.append(r)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if request.url.path.rstrip("/") in API_PATHS:
            return PlainTextResponse(exc.detail, status_code=exc.status_code, headers=exc.headers)
        status = exc.status_code if exc.status_code in ERROR_TITLES else 400
        message = {
            404: "There is nothing here, or you may not see it.",
            405: "This page does not accept that kind of request.",
        }.get(status, "")
        return config.error_page(status, message)

    async def server_error(request: Request, exc: Exception) -> Response:
        # Outside our header middleware (Starlette puts the 500 handler
        # outermost), so the headers are added here.
        logger.exception("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        if request.url.path.rstrip("/") in API_PATHS:
            return PlainTextResponse("Internal Server Error", status_code=500)
        try:
            response: Response = config.error_page(500, "Something went wrong; it has been logged.")
        except Exception:  # noqa: BLE001 - never let the error page itself fail
            response = PlainTextResponse("Internal Server Error", status_code=500)
        for k, v in SECURITY_HEADERS:
            response.headers[k.decode()] = v.decode()
        return response

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, server_error)
    app.add_middleware(SecurityHeadersMiddleware)
