"""Server-created patients and their access keys (policies.md §5.1-5.2).

In single-patient mode a clinician creates the patient on the server; the
patient's tablet then fetches it with the proquint access key made from the
patient's UUID.  Such a patient is an ordinary ``patient`` row that belongs
to the special device ``server`` in era ``NOW`` (so tablet uploads can never
touch it, and a tablet's own patient rows are never reachable by key), with
its ID numbers as current ``patient_idnum`` rows of the same lineage.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from copse.accounts.users import User
from copse.db.insert import insert_id
from copse.errors import UserError
from copse.policy.evaluate import parse_policy
from copse.policy.idnum import validate_id_number
from copse.policy.patients import (
    VALID_SEXES,
    PatientInfo,
    RestrictedPatient,
    is_valid_email,
    patient_info_from_record,
)
from copse.policy.proquint import InvalidProquint, proquint_to_uuid, uuid_to_proquint
from copse.schema.columns import ERA_NOW
from copse.schema.tables import CLIENT_TABLES, devices, groups, idnum_definitions, users
from copse.wire.dates import storage_string
from copse.wire.version import SERVER_CAMCOPS_VERSION_STRING

__all__ = [
    "ERA_NOW",
    "SERVER_DEVICE_NAME",
    "ServerPatient",
    "create_server_patient",
    "find_by_access_key",
    "get_or_create_server_device",
    "get_server_patient",
    "list_server_patients",
    "no_patient_message",
    "restricted_patient_for",
    "server_device_id",
]

SERVER_DEVICE_NAME = "server"
SYSTEM_USERNAME = "system"

patient_t = CLIENT_TABLES["patient"]
idnum_t = CLIENT_TABLES["patient_idnum"]


def no_patient_message(key: object) -> str:
    """The one message for every bad key, so a key's validity is not revealed."""
    return f"There is no patient with access key '{key}'. Have you entered the key correctly?"


@dataclass(frozen=True)
class ServerPatient:
    """A server-created patient with its current ID numbers (by type)."""

    pk: int
    id: int
    group_id: int
    uuid: uuid.UUID | None
    forename: str | None
    surname: str | None
    sex: str | None
    dob: str | None
    email: str | None
    address: str | None
    gp: str | None
    other: str | None
    idnums: tuple[tuple[int, int], ...]

    @property
    def access_key(self) -> str | None:
        return uuid_to_proquint(self.uuid) if self.uuid is not None else None

    def info_dict(self) -> dict[str, Any]:
        """The client's patient object, keys in the reference's order (wire.md §5.1b)."""
        d: dict[str, Any] = {
            "surname": self.surname,
            "forename": self.forename,
            "sex": self.sex,
            "dob": self.dob or None,
            "email": self.email,
            "address": self.address,
            "gp": self.gp,
            "other": self.other,
        }
        for which, value in self.idnums:
            d[f"idnum{which}"] = value
        return d

    def patient_info_json(self) -> str:
        """``json.dumps`` of a one-element list, default separators, as the reference."""
        return json.dumps([self.info_dict()])

    def info(self) -> PatientInfo:
        """The patient as ``validate_patients`` compares it."""
        return patient_info_from_record(
            {
                "forename": self.forename,
                "surname": self.surname,
                "sex": self.sex,
                "dob": self.dob,
                "address": self.address,
                "email": self.email,
                "gp": self.gp,
                "other": self.other,
            },
            self.idnums,
        )


# --------------------------------------------------------------------------
# The server device


def server_device_id(conn: sa.Connection) -> int | None:
    return conn.execute(
        sa.select(devices.c.id).where(devices.c.name == SERVER_DEVICE_NAME)
    ).scalar()


def _system_user_id(conn: sa.Connection) -> int:
    """The built-in superuser that "registers" the server device.

    Its empty hash matches no password, and the API refuses its name.
    """
    uid = conn.execute(sa.select(users.c.id).where(users.c.username == SYSTEM_USERNAME)).scalar()
    if uid is not None:
        return int(uid)
    return int(
        insert_id(
            conn,
            sa.insert(users).values(
                username=SYSTEM_USERNAME,
                hashedpw="",
                superuser=True,
                fullname="CamCOPS system user",
                mfa_method="no_mfa",
                hotp_counter=0,
                must_change_password=False,
                auto_generated=False,
            ),
        )
    )


def get_or_create_server_device(conn: sa.Connection, now: datetime) -> int:
    """The id of device ``server``, created on first use (data-model.md §3)."""
    existing = server_device_id(conn)
    if existing is not None:
        return int(existing)
    return int(
        insert_id(
            conn,
            sa.insert(devices).values(
                name=SERVER_DEVICE_NAME,
                friendly_name="CamCOPS server",
                registered_by_user_id=_system_user_id(conn),
                when_registered_utc=now,
                camcops_version=SERVER_CAMCOPS_VERSION_STRING,
                currently_preserving=False,
            ),
        )
    )


# --------------------------------------------------------------------------
# Reading


def _idnums_by_patient(
    conn: sa.Connection, device_id: int, patient_ids: Iterable[int], era: str = ERA_NOW
) -> dict[int, list[tuple[int, int]]]:
    """Current ID numbers of some patients of one device and era, by type."""
    ids = sorted(set(patient_ids))
    out: dict[int, list[tuple[int, int]]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = conn.execute(
        sa.select(idnum_t.c.patient_id, idnum_t.c.which_idnum, idnum_t.c.idnum_value)
        .where(
            idnum_t.c._device_id == device_id,
            idnum_t.c._era == era,
            idnum_t.c._current.is_(True),
            idnum_t.c.patient_id.in_(ids),
            idnum_t.c.idnum_value.is_not(None),
        )
        .order_by(idnum_t.c.patient_id, idnum_t.c.which_idnum, idnum_t.c._pk)
    )
    for r in rows:
        out.setdefault(int(r.patient_id), []).append((int(r.which_idnum), int(r.idnum_value)))
    return out


def _from_row(row: Any, idnums: Sequence[tuple[int, int]]) -> ServerPatient:
    try:
        u = uuid.UUID(hex=row.uuid) if row.uuid else None
    except ValueError:
        u = None
    return ServerPatient(
        pk=int(row._pk),
        id=int(row.id),
        group_id=int(row._group_id),
        uuid=u,
        forename=row.forename,
        surname=row.surname,
        sex=row.sex,
        dob=row.dob,
        email=row.email,
        address=row.address,
        gp=row.gp,
        other=row.other,
        idnums=tuple(idnums),
    )


def _server_patients(
    conn: sa.Connection, *conditions: sa.ColumnElement[bool]
) -> list[ServerPatient]:
    device_id = server_device_id(conn)
    if device_id is None:
        return []
    rows = conn.execute(
        sa.select(patient_t)
        .where(
            patient_t.c._device_id == device_id,
            patient_t.c._era == ERA_NOW,
            patient_t.c._current.is_(True),
            *conditions,
        )
        .order_by(patient_t.c._pk)
    ).all()
    idnums = _idnums_by_patient(conn, device_id, (int(r.id) for r in rows))
    return [_from_row(r, idnums.get(int(r.id), [])) for r in rows]


def get_server_patient(conn: sa.Connection, pk: int) -> ServerPatient | None:
    found = _server_patients(conn, patient_t.c._pk == pk)
    return found[0] if found else None


def list_server_patients(conn: sa.Connection, group_id: int | None = None) -> list[ServerPatient]:
    return _server_patients(conn, *([patient_t.c._group_id == group_id] if group_id else []))


def find_by_access_key(conn: sa.Connection, key: str) -> ServerPatient:
    """The current server patient whose UUID the key encodes.

    Every kind of bad key (wrong check letter, bad letters, wrong length,
    upper case, no such patient, a tablet's patient) gives the same user
    error, never a crash.  Exactly one row must match, as in the reference.
    """
    try:
        u = proquint_to_uuid(key)
    except (InvalidProquint, ValueError, TypeError, KeyError):
        raise UserError(no_patient_message(key)) from None
    found = _server_patients(conn, patient_t.c.uuid == u.hex)
    if len(found) != 1:
        raise UserError(no_patient_message(key))
    return found[0]


def restricted_patient_for(conn: sa.Connection, user: User | None) -> RestrictedPatient | None:
    """The restriction on an auto-generated single-patient user, else None.

    The user's patient is looked up by server PK, as the reference's
    relationship does; a patient that has gone gives ``patient=None``.
    """
    if user is None or not user.auto_generated:
        return None
    if user.single_patient_pk is None:
        return RestrictedPatient(user.username, None)
    row = conn.execute(
        sa.select(patient_t).where(patient_t.c._pk == user.single_patient_pk)
    ).first()
    if row is None:
        return RestrictedPatient(user.username, None)
    idnums = _idnums_by_patient(conn, int(row._device_id), [int(row.id)], row._era)
    patient = _from_row(row, idnums.get(int(row.id), []))
    return RestrictedPatient(user.username, patient.info())


# --------------------------------------------------------------------------
# Creating


def _next_id(conn: sa.Connection, table: sa.Table, device_id: int) -> int:
    top = conn.execute(
        sa.select(sa.func.max(table.c.id)).where(
            table.c._device_id == device_id, table.c._era == ERA_NOW
        )
    ).scalar()
    return int(top or 0) + 1


def check_new_patient(conn: sa.Connection, group_id: int, info: PatientInfo) -> None:
    """The web form's rules (policies.md §5.2), with the reference's messages."""
    group = conn.execute(sa.select(groups).where(groups.c.id == group_id)).first()
    if group is None:
        raise UserError("Nonexistent group")
    if info.sex not in VALID_SEXES:
        raise UserError(f"Bad sex value: {info.sex!r}")
    if info.email and not is_valid_email(info.email):
        raise UserError(f"Bad e-mail address: {info.email!r}")
    methods = {
        int(r.which_idnum): r.validation_method for r in conn.execute(sa.select(idnum_definitions))
    }
    seen: set[int] = set()
    for which, value in info.idnums:
        if which not in methods:
            raise UserError(f"No such ID number type: {which}")
        if which in seen:
            raise UserError("You have specified >1 value for one ID number type")
        seen.add(which)
        if not isinstance(value, int) or value <= 0:
            raise UserError(
                f"For ID type {which}, ID number {value} is invalid: Not a positive integer"
            )
        ok, why = validate_id_number(value, methods[which])
        if not ok:
            raise UserError(f"For ID type {which}, ID number {value} is invalid: {why}")
    if not parse_policy(group.finalize_policy).satisfied_by(info.facts()):
        raise UserError(
            f"Patient would not meet 'finalize' ID policy for group: {group.name}! "
            f"[That policy is: '{group.finalize_policy or ''}']"
        )


def create_server_patient(
    conn: sa.Connection,
    *,
    group_id: int,
    forename: str | None,
    surname: str | None,
    sex: str | None,
    dob: date | None,
    idnums: Sequence[tuple[int, int]],
    address: str | None = None,
    email: str | None = None,
    gp: str | None = None,
    other: str | None = None,
    adding_user_id: int | None = None,
    now: datetime,
) -> ServerPatient:
    """Create a patient on device ``server`` and return it (with its access key).

    ``now`` is naive UTC.  The patient must satisfy the group's finalize
    policy, as the reference's web form requires, because the server copy
    is the final record.  Client ids are the next free ones for the server
    device; the device row is locked first so two creators cannot collide.
    """
    info = PatientInfo(
        forename=forename,
        surname=surname,
        sex=sex,
        dob=dob,
        address=address,
        email=email,
        gp=gp,
        otherdetails=other,
        idnums=tuple(idnums),
    )
    check_new_patient(conn, group_id, info)
    device_id = get_or_create_server_device(conn, now)
    conn.execute(sa.select(devices.c.id).where(devices.c.id == device_id).with_for_update())
    stamp = storage_string(now.replace(tzinfo=UTC))
    common = dict(
        _device_id=device_id,
        _era=ERA_NOW,
        _current=True,
        _when_added_exact=stamp,
        _when_added_batch_utc=now,
        _adding_user_id=adding_user_id,
        _camcops_version=SERVER_CAMCOPS_VERSION_STRING,
        _addition_pending=False,
        _removal_pending=False,
        _forcibly_preserved=False,
        _manually_erased=False,
        _group_id=group_id,
        when_last_modified=stamp,
        _move_off_tablet=0,
    )
    patient_id = _next_id(conn, patient_t, device_id)
    u = uuid.uuid4()
    pk = int(
        insert_id(
            conn,
            sa.insert(patient_t).values(
                id=patient_id,
                uuid=u.hex,
                forename=forename,
                surname=surname,
                sex=sex,
                dob=dob.isoformat() if dob else None,
                address=address,
                email=email,
                gp=gp,
                other=other,
                **common,
            ),
        )
    )
    next_idnum = _next_id(conn, idnum_t, device_id)
    for offset, (which, value) in enumerate(idnums):
        conn.execute(
            sa.insert(idnum_t).values(
                id=next_idnum + offset,
                patient_id=patient_id,
                which_idnum=which,
                idnum_value=value,
                **common,
            )
        )
    # Keep the ID-number index exact for the new patient (it must equal a full rebuild).
    from copse.index.maintain import reindex_patients

    reindex_patients(conn, [pk], now)
    created = get_server_patient(conn, pk)
    assert created is not None
    return created
