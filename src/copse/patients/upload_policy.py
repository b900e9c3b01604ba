"""Upload-time ID-policy enforcement (beyond the reference, which checks only at finalize).

The reference only checks patients when the tablet volunteers them through
``validate_patients``; a modified or old client could upload anything.
copse checks again when an upload commits changes (a stepwise batch that
changed nothing commits nothing and is not checked): every live patient of the device
(including the batch's pending additions, excluding its pending removals),
with its live ID numbers, must satisfy the group's upload policy, or its
finalize policy when that patient is being finalized; and an auto-generated
single-patient user may only hold their own patient.  The upload engine
calls :func:`check_uploaded_patients` inside the request's transaction and
lets the :class:`UserError` roll everything back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from typing import Any, Literal

import sqlalchemy as sa

from copse.accounts.users import User
from copse.errors import UserError
from copse.patients.server_patients import ERA_NOW, restricted_patient_for
from copse.policy.evaluate import parse_policy
from copse.policy.patients import patient_facts_from_record
from copse.schema.tables import CLIENT_TABLES, groups, idnum_definitions

__all__ = ["check_patient_rows", "check_uploaded_patients"]

_PATIENT = CLIENT_TABLES["patient"]
_IDNUM = CLIENT_TABLES["patient_idnum"]

#: What the check reads of a patient row (:func:`patient_facts_from_record`, the
#: client id and the move-off flag): 10 of its 33 columns (perf: every commit of an
#: upload reads all the device's patients, and a driver decodes every column sent).
_POLICY_COLUMNS = tuple(
    _PATIENT.c[name]
    for name in (
        "id",
        "forename",
        "surname",
        "dob",
        "sex",
        "address",
        "gp",
        "other",
        "email",
        "_move_off_tablet",
    )
)


def _live(t: sa.Table, device_id: int) -> list[sa.ColumnElement[bool]]:
    """Rows that will be current once the ongoing batch commits."""
    return [
        t.c._device_id == device_id,
        t.c._era == ERA_NOW,
        sa.or_(t.c._current.is_(True), t.c._addition_pending.is_(True)),
        sa.func.coalesce(t.c._removal_pending, False).is_(False),
    ]


def _policy_text(policy: str | None) -> str:
    return f"'{policy}'" if policy else "(none set, so no patient can satisfy it)"


def check_uploaded_patients(
    conn: sa.Connection,
    *,
    device_id: int,
    group_id: int,
    finalizing_patient_ids: Set[int] | Literal["all"] | None,
    user: User | None,
) -> None:
    """Raise :class:`UserError` if any live patient of the device breaks the rules.

    ``finalizing_patient_ids`` are the client ids (``patient.id``) of the
    patients this upload finalizes (``"all"`` for a whole-device finalize);
    they are held to the finalize policy, the rest to the upload policy;
    None means: the patients whose rows are flagged ``_move_off_tablet``.
    The policy check is skipped when the group's ``check_policy_on_upload``
    is off; the single-patient restriction is always enforced, because
    copse itself creates those users and promises them nothing more.
    Patients are checked in client-id order and the first failure is
    reported, naming the patient's client id and the policy.
    """
    group = _group(conn, group_id)
    restricted = restricted_patient_for(conn, user)
    if not group.check_policy_on_upload and restricted is None:
        return
    patients = [
        dict(r._mapping)
        for r in conn.execute(
            sa.select(*_POLICY_COLUMNS)
            .where(*_live(_PATIENT, device_id))
            .order_by(_PATIENT.c.id, _PATIENT.c._pk)
        )
    ]
    if not patients:
        return
    idnums = [
        dict(r._mapping)
        for r in conn.execute(
            sa.select(_IDNUM.c.patient_id, _IDNUM.c.which_idnum, _IDNUM.c.idnum_value)
            .where(*_live(_IDNUM, device_id))
            .order_by(_IDNUM.c.patient_id, _IDNUM.c.which_idnum, _IDNUM.c._pk)
        )
    ]
    _check_rows(group, restricted, patients, idnums, finalizing_patient_ids)


def check_patient_rows(
    conn: sa.Connection,
    *,
    group_id: int,
    user: User | None,
    patient_rows: Sequence[Mapping[str, Any]],
    idnum_rows: Sequence[Mapping[str, Any]],
    finalizing_patient_ids: Set[int] | Literal["all"] | None,
) -> None:
    """The same rules over rows about to be stored (the one-step upload).

    A one-step upload carries the tablet's whole database, so its patient and
    ID-number rows are exactly the device's live patients afterwards; checking
    them before anything is written keeps the finalize case simple (a
    finalizing upload moves rows out of the NOW era as it goes).
    """
    group = _group(conn, group_id)
    restricted = restricted_patient_for(conn, user)
    if not group.check_policy_on_upload and restricted is None:
        return
    patients = sorted(patient_rows, key=lambda r: (r.get("id") is None, r.get("id") or 0))
    idnums = sorted(
        idnum_rows,
        key=lambda r: (r.get("patient_id") or 0, r.get("which_idnum") or 0),
    )
    _check_rows(group, restricted, patients, idnums, finalizing_patient_ids)


def group_policies(conn: sa.Connection, group_id: int) -> Any:
    """The group's ID policies (``upload_policy``, ``finalize_policy``); a UserError if none."""
    return _group(conn, group_id)


def idnum_validation_methods(conn: sa.Connection) -> dict[int, str | None]:
    """Each defined ID number's validation method, by ``which_idnum``."""
    d = idnum_definitions
    return {
        int(r.which_idnum): r.validation_method
        for r in conn.execute(sa.select(d.c.which_idnum, d.c.validation_method))
    }


def _group(conn: sa.Connection, group_id: int) -> Any:
    group = conn.execute(
        sa.select(
            groups.c.name,
            groups.c.upload_policy,
            groups.c.finalize_policy,
            groups.c.check_policy_on_upload,
        ).where(groups.c.id == group_id)
    ).first()
    if group is None:
        raise UserError("Nonexistent group")
    return group


def _check_rows(
    group: Any,
    restricted: Any,
    patients: Sequence[Mapping[str, Any]],
    idnum_rows: Sequence[Mapping[str, Any]],
    finalizing_patient_ids: Set[int] | Literal["all"] | None,
) -> None:
    idnums: dict[int, list[tuple[Any, Any]]] = {}
    for r in idnum_rows:
        idnums.setdefault(r["patient_id"], []).append((r["which_idnum"], r["idnum_value"]))
    policies = {False: parse_policy(group.upload_policy), True: parse_policy(group.finalize_policy)}
    texts = {False: group.upload_policy, True: group.finalize_policy}
    for p in patients:
        pid = p.get("id")
        facts = patient_facts_from_record(p, idnums.get(pid, []))  # type: ignore[arg-type]
        if group.check_policy_on_upload:
            if finalizing_patient_ids is None:
                # Derived from the rows themselves: flagged to move off the tablet.
                finalizing = bool(p.get("_move_off_tablet"))
            else:
                finalizing = finalizing_patient_ids == "all" or pid in finalizing_patient_ids
            if not policies[finalizing].satisfied_by(facts):
                kind = "finalize" if finalizing else "upload"
                raise UserError(
                    f"Upload refused: patient with client id {pid} does not satisfy the "
                    f"{kind} ID policy of group {group.name}: {_policy_text(texts[finalizing])}"
                )
        if restricted is not None:
            if restricted.patient is None:
                raise UserError(
                    f"Upload refused: restricted user {restricted.username} "
                    "does not have associated patient details"
                )
            if set(facts.idnums.items()) != set(restricted.patient.idnums):
                raise UserError(
                    f"Upload refused: user {restricted.username} may only upload data for "
                    f"their own patient, but patient with client id {pid} has different "
                    "ID numbers"
                )
