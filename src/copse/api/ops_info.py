"""Operations that register devices and serve server information."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from copse.api.context import ApiRequest, Caller
from copse.api.operations import operation
from copse.audit import audit
from copse.errors import UserError
from copse.extra_strings import load_extra_strings
from copse.records.devices import register_device
from copse.schema.registry import TABLES
from copse.services.server_settings import tablet_id_info
from copse.wire.reply import select_reply
from copse.wire.version import SERVER_CAMCOPS_VERSION_STRING


def _audit(
    conn: sa.Connection, req: ApiRequest, caller: Caller, details: str, **kw: object
) -> None:
    audit(
        conn,
        details,
        source="tablet",
        now=req.now_utc,
        remote_addr=req.remote_addr,
        user_id=caller.user_id,
        device_id=caller.device_id,
        **kw,  # type: ignore[arg-type]
    )


_extra_cache: dict[tuple[str, tuple[tuple[str, float], ...]], list[tuple[str, str, str, str]]] = {}


def cached_extra_strings(folder: Path | None) -> list[tuple[str, str, str, str]]:
    """Extra strings, re-read only when a file in the folder changes.

    A read-only cache of files on disk is safe with several workers: each
    process checks the files' modification times itself.
    """
    if folder is None:
        return []
    stamp = tuple(sorted((p.name, p.stat().st_mtime) for p in Path(folder).glob("*.xml")))
    key = (str(folder), stamp)
    if key not in _extra_cache:
        _extra_cache.clear()
        _extra_cache[key] = list(load_extra_strings(Path(folder)))
    return _extra_cache[key]


def server_id_info(conn: sa.Connection, caller: Caller) -> list[tuple[str, object]]:
    """The reply of ``get_id_info`` and ``register`` (wire.md §3.6)."""
    group_id = caller.user.upload_group_id if caller.user is not None else None
    info = tablet_id_info(conn, group_id)
    pairs: list[tuple[str, object]] = [
        ("databaseTitle", info.title),
        ("idPolicyUpload", info.upload_policy),
        ("idPolicyFinalize", info.finalize_policy),
        ("serverCamcopsVersion", SERVER_CAMCOPS_VERSION_STRING),
    ]
    for n, description, short, method in info.definitions:
        pairs.append((f"idDescription{n}", description))
        pairs.append((f"idShortDescription{n}", short))
        pairs.append((f"idValidationMethod{n}", method))
    return pairs


@operation("check_device_registered", "anyone")
def check_device_registered(conn: sa.Connection, req: ApiRequest, caller: Caller) -> None:
    if caller.device_id is None:
        raise UserError("Unregistered device")


@operation("register", "registration")
def register(conn: sa.Connection, req: ApiRequest, caller: Caller) -> list[tuple[str, object]]:
    if not req.device_name:
        raise UserError("Must provide the variable: device")
    friendly_name = req.form.optional_str("devicefriendlyname")
    device_id = register_device(
        conn,
        caller.device_id,
        req.device_name,
        friendly_name=friendly_name,
        camcops_version=req.client_version_str,
        registered_by_user_id=caller.user_id,
        when_registered_utc=req.now_utc,
    )
    _audit(
        conn,
        req,
        Caller(caller.user, device_id),
        f"register, device_id={device_id}, friendly_name={friendly_name}",
        table_name="_security_devices",
    )
    return server_id_info(conn, caller)


@operation("get_id_info", "upload")
def get_id_info(conn: sa.Connection, req: ApiRequest, caller: Caller) -> list[tuple[str, object]]:
    return server_id_info(conn, caller)


@operation("get_allowed_tables", "registration")
def get_allowed_tables(
    conn: sa.Connection, req: ApiRequest, caller: Caller
) -> list[tuple[str, str]]:
    rows = [(name, TABLES[name].min_client_version) for name in sorted(TABLES)]
    _audit(conn, req, caller, "get_allowed_tables")
    return select_reply(["tablename", "min_client_version"], rows)


@operation("get_extra_strings", "registration")
def get_extra_strings(
    conn: sa.Connection, req: ApiRequest, caller: Caller
) -> list[tuple[str, str]]:
    rows = cached_extra_strings(req.settings.extra_strings_dir)
    _audit(conn, req, caller, "get_extra_strings")
    return select_reply(["task", "name", "language", "value"], rows)


@operation("check_upload_user_and_device", "upload")
def check_upload_user_and_device(conn: sa.Connection, req: ApiRequest, caller: Caller) -> None:
    return None
