"""Patient operations: ``validate_patients``, ``register_patient``, ``get_task_schedules``.

The first checks a tablet's patients against the upload group's ID
policies (wire.md §3.9).  The other two serve single-patient mode
(wire.md §3.5, §3.7): a patient's tablet presents the access key of a
server-created patient and receives that patient, a generated account
restricted to it, and its task schedules.
"""

from __future__ import annotations

import json
import secrets
import string

import sqlalchemy as sa

from copse.accounts.users import (
    create_user,
    get_user_by_name,
    restrict_to_patient,
    set_password,
)
from copse.api.context import ApiRequest, Caller
from copse.api.operations import operation
from copse.audit import audit
from copse.errors import ServerError, UserError
from copse.patients.ip_use import get_ip_use, ip_use_info_json
from copse.patients.schedule_status import task_schedules_for_patient
from copse.patients.server_patients import (
    ServerPatient,
    find_by_access_key,
    restricted_patient_for,
)
from copse.patients.upload_policy import group_policies, idnum_validation_methods
from copse.policy.patients import validate_patient_list

PASSWORD_ALPHABET = string.ascii_letters + string.digits + string.punctuation
PASSWORD_LENGTH = 32
MAX_USERNAME_LENGTH = 191


@operation("validate_patients", "upload")
def validate_patients(conn: sa.Connection, req: ApiRequest, caller: Caller) -> str:
    data = req.form.json("patient_info")
    assert caller.user is not None and caller.user.upload_group_id is not None
    group = group_policies(conn, caller.user.upload_group_id)
    definitions = idnum_validation_methods(conn)
    validate_patient_list(
        data,
        idnum_definitions=definitions,
        upload_policy=group.upload_policy,
        finalize_policy=group.finalize_policy,
        restricted_patient=restricted_patient_for(conn, caller.user),
    )
    return "Success"


def _patient_for_key(conn: sa.Connection, key: str) -> ServerPatient:
    """The server patient named by an access key; 503 if it has no ID numbers."""
    patient = find_by_access_key(conn, key)
    if not patient.idnums:
        raise ServerError("Patient has no ID numbers")
    return patient


def _random_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def _set_up_patient_user(
    conn: sa.Connection, req: ApiRequest, patient: ServerPatient, device: str, password: str
) -> str:
    """Get or create ``user-{device}-{pk}``, reset its password, restrict it to the patient.

    copse refuses to take over an existing account that it did not
    generate (the reference would silently reset a same-named human
    user's password and rights).
    """
    username = f"user-{device}-{patient.pk}"
    if len(username) > MAX_USERNAME_LENGTH:
        raise UserError(
            f"Device name too long to make a user name for this patient "
            f"(user names have at most {MAX_USERNAME_LENGTH} characters)"
        )
    rounds = req.settings.bcrypt_rounds
    existing = get_user_by_name(conn, username)
    if existing is None:
        user_id = create_user(
            conn,
            username,
            password,
            upload_group_id=patient.group_id,
            auto_generated=True,
            single_patient_pk=patient.pk,
            bcrypt_rounds=rounds,
            now=req.now_utc,
            validate_name=False,
        )
    else:
        if not existing.auto_generated:
            raise UserError(f"User {username} exists and was not created for a patient")
        user_id = existing.id
        set_password(conn, user_id, password, bcrypt_rounds=rounds, now=req.now_utc)
    restrict_to_patient(conn, user_id, patient.group_id, patient.pk)
    return username


@operation("register_patient", "anyone")
def register_patient(
    conn: sa.Connection, req: ApiRequest, caller: Caller
) -> list[tuple[str, object]]:
    key = req.form.required_str("patient_proquint")
    # The device is not registered yet (and need not be); only its name is used.
    device = req.form.required_str("device")
    patient = _patient_for_key(conn, key)
    password = _random_password()
    username = _set_up_patient_user(conn, req, patient, device, password)
    audit(
        conn,
        f"register_patient: user {username} for patient server PK {patient.pk}",
        source="tablet",
        now=req.now_utc,
        remote_addr=req.remote_addr,
        device_id=caller.device_id,
        table_name="patient",
        patient_server_pk=patient.pk,
    )
    return [
        ("patient_info", patient.patient_info_json()),
        ("user", username),
        ("password", password),
        ("ip_use_info", ip_use_info_json(get_ip_use(conn, patient.group_id))),
    ]


@operation("get_task_schedules", "registration")
def get_task_schedules(
    conn: sa.Connection, req: ApiRequest, caller: Caller
) -> list[tuple[str, object]]:
    patient = _patient_for_key(conn, req.form.required_str("patient_proquint"))
    assert caller.user is not None
    schedules = task_schedules_for_patient(conn, patient, caller.user, req.now_utc)
    return [
        ("patient_info", patient.patient_info_json()),
        ("task_schedules", json.dumps(schedules)),
    ]
