"""Special notes, and editing a finalized patient (data-model.md §6.4, §10.4).

copse differs from the reference on purpose in one respect: the reference
changes a patient's simple fields *in place*; copse never overwrites an
uploaded row, so any edit makes a new patient version (``_predecessor_pk`` /
``_successor_pk`` linked, the old row non-current), exactly as ID-number
value changes do.  Everything else follows §10.4: removed ID types are
marked deleted (no successor), added ones get the next free client id of
their device and era, a special note describes the change, and one audit
entry ``Patient edited`` is written.  Both indexes are brought up to date.
Server-created patients (:func:`edit_server_patient`) are the exception: they
were never uploaded, and their ``_pk`` is what schedules and access-key users
refer to, so their simple fields and group are changed in place.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from copse.audit import audit
from copse.errors import ActionRefused, UserError
from copse.index.maintain import reindex_idnums, reindex_patients
from copse.patients.server_patients import check_new_patient
from copse.policy.patients import PatientInfo
from copse.records.devicelock import CHANGED_MEANWHILE, lock_and_reread
from copse.schema.columns import ERA_NOW
from copse.schema.tables import CLIENT_TABLES, groups, idnum_definitions, special_notes
from copse.wire.dates import storage_string

EDITABLE_FIELDS = ("forename", "surname", "dob", "sex", "address", "email", "gp", "other")
NOTE_APPLIED = "Special note applied manually"
MAX_NOTE = 65000


# ---------------------------------------------------------------------------
# Special notes
# ---------------------------------------------------------------------------


def add_note(
    conn: sa.Connection,
    basetable: str,
    row: Mapping[Any, Any],
    text: str,
    user_id: int,
    now: datetime,
    ip: str | None,
    patient_pk: int | None,
) -> None:
    """A note on a record's lineage (basetable, client id, device, era), audited."""
    text = text.strip()
    if not text:
        raise ActionRefused("A special note can't be empty.")
    if len(text) > MAX_NOTE:
        raise ActionRefused(f"A special note can't be longer than {MAX_NOTE} characters.")
    conn.execute(
        sa.insert(special_notes).values(
            basetable=basetable,
            task_id=row["id"],
            device_id=row["_device_id"],
            era=row["_era"],
            note_at=storage_string(now),
            user_id=user_id,
            note=text,
            hidden=False,
        )
    )
    audit(
        conn,
        NOTE_APPLIED,
        source="webviewer",
        now=now,
        remote_addr=ip,
        user_id=user_id,
        table_name=basetable,
        server_pk=int(row["_pk"]),
        patient_server_pk=patient_pk,
    )


def get_note(conn: sa.Connection, note_id: int) -> sa.RowMapping | None:
    return (
        conn.execute(sa.select(special_notes).where(special_notes.c.note_id == note_id))
        .mappings()
        .first()
    )


def hide_note(
    conn: sa.Connection, note: Mapping[Any, Any], user_id: int, now: datetime, ip: str | None
) -> None:
    """Notes are never removed, only hidden (§6.4).  The audit entry is a copse addition."""
    if note["hidden"]:
        raise ActionRefused("This note is already hidden.")
    conn.execute(
        sa.update(special_notes)
        .where(special_notes.c.note_id == note["note_id"])
        .values(hidden=True)
    )
    audit(
        conn,
        f"Special note {note['note_id']} hidden",
        source="webviewer",
        now=now,
        remote_addr=ip,
        user_id=user_id,
        table_name=note["basetable"],
    )


def note_target(conn: sa.Connection, note: Mapping[Any, Any]) -> sa.RowMapping | None:
    """The current row (or, failing that, the newest) of the note's lineage."""
    table = note["basetable"]
    if table not in CLIENT_TABLES:
        return None
    t = CLIENT_TABLES[table]
    return (
        conn.execute(
            sa.select(t)
            .where(
                t.c.id == note["task_id"],
                t.c._device_id == note["device_id"],
                t.c._era == note["era"],
            )
            .order_by(t.c._current.desc(), t.c._pk.desc())
        )
        .mappings()
        .first()
    )


# ---------------------------------------------------------------------------
# Editing a finalized patient
# ---------------------------------------------------------------------------


def _blank(v: Any) -> bool:
    return v is None or v == ""


def _changed(old: Any, new: Any) -> bool:
    """Counted only if the values differ and at least one is non-empty (§10.4)."""
    return old != new and not (_blank(old) and _blank(new))


def _new_version(
    conn: sa.Connection,
    table: str,
    old: Mapping[Any, Any],
    changes: Mapping[Any, Any],
    user_id: int,
    now: datetime,
) -> int:
    """Insert the successor of ``old`` with ``changes``; retire ``old``. Returns the new PK."""
    t = CLIENT_TABLES[table]
    stamp = storage_string(now)
    values = {k: v for k, v in old.items() if k != "_pk"}
    values.update(changes)
    values.update(
        _current=True,
        _when_added_exact=stamp,
        _when_added_batch_utc=now,
        _adding_user_id=user_id,
        _when_removed_exact=None,
        _when_removed_batch_utc=None,
        _removing_user_id=None,
        _predecessor_pk=old["_pk"],
        _successor_pk=None,
    )
    if old["_era"] != ERA_NOW:
        values.update(_preserving_user_id=user_id, _forcibly_preserved=True)
    key = conn.execute(sa.insert(t).values(**values)).inserted_primary_key
    assert key is not None
    new_pk = int(key[0])
    conn.execute(
        sa.update(t)
        .where(t.c._pk == old["_pk"])
        .values(
            _current=False,
            _when_removed_exact=stamp,
            _when_removed_batch_utc=now,
            _removing_user_id=user_id,
            _successor_pk=new_pk,
        )
    )
    return new_pk


def _next_id(conn: sa.Connection, table: str, device_id: int, era: str) -> int:
    t = CLIENT_TABLES[table]
    top = conn.execute(
        sa.select(sa.func.max(t.c.id)).where(t.c._device_id == device_id, t.c._era == era)
    ).scalar()
    return int(top or 0) + 1


def current_idnums(conn: sa.Connection, patient: Mapping[Any, Any]) -> dict[int, sa.RowMapping]:
    i = CLIENT_TABLES["patient_idnum"]
    rows = conn.execute(
        sa.select(i)
        .where(
            i.c.patient_id == patient["id"],
            i.c._device_id == patient["_device_id"],
            i.c._era == patient["_era"],
            i.c._current == sa.true(),
        )
        .order_by(i.c._pk)
    ).mappings()
    return {int(r["which_idnum"]): r for r in rows}


def edit_patient(
    conn: sa.Connection,
    patient: Mapping[Any, Any],
    fields: Mapping[str, str | None],
    idnums: Mapping[int, int | None],
    user_id: int,
    now: datetime,
    ip: str | None,
) -> tuple[int, list[str]]:
    """Apply an edit of a finalized, current patient row.

    ``fields``: new values of :data:`EDITABLE_FIELDS` (absent = unchanged);
    ``idnums``: ID type -> new value (None removes the type; types not given
    are unchanged).  Returns (the current patient PK afterwards, the change
    descriptions); no changes means nothing is written.  Holds the device lock
    and edits the row as it is once the lock is held (refused if it is then
    no longer current).
    """
    patient = lock_and_reread(conn, "patient", int(patient["_pk"]))
    if not patient["_current"]:
        raise ActionRefused(CHANGED_MEANWHILE)
    if patient["_era"] == ERA_NOW:
        raise ActionRefused(
            "Only finalized patients can be edited here; this one is live on its device."
        )
    return _apply_edit(conn, patient, fields, idnums, user_id, now, ip, in_place=False, group=None)


def edit_server_patient(
    conn: sa.Connection,
    patient: Mapping[Any, Any],
    fields: Mapping[str, str | None],
    idnums: Mapping[int, int | None],
    group: tuple[int, str] | None,
    user_id: int,
    now: datetime,
    ip: str | None,
) -> tuple[int, list[str]]:
    """Edit a server-created patient (device ``server``, era NOW; §10.4).

    Unlike a finalized tablet patient, the simple fields are changed *in
    place*, as the reference does: the row's ``_pk`` is what task schedules
    and the patient's auto-generated tablet users refer to, so it must not
    move.  ID-number changes still make new versions.  ``group`` = (id,
    name) moves the patient and its ID numbers to that group.  The result
    must still satisfy the (new) group's finalize policy, as at creation.
    """
    patient = lock_and_reread(conn, "patient", int(patient["_pk"]))
    if patient["_era"] != ERA_NOW:
        raise ActionRefused("This is not a server-created patient.")
    return _apply_edit(conn, patient, fields, idnums, user_id, now, ip, in_place=True, group=group)


def _check_server_patient(
    conn: sa.Connection,
    patient: Mapping[Any, Any],
    fields: Mapping[str, str | None],
    idnums: Mapping[int, int | None],
    group_id: int,
) -> None:
    final = {k: fields.get(k, patient[k]) if k in fields else patient[k] for k in EDITABLE_FIELDS}
    ids = {w: r["idnum_value"] for w, r in current_idnums(conn, patient).items()}
    ids.update(idnums)
    try:
        dob = date.fromisoformat(final["dob"]) if final["dob"] else None
    except ValueError:
        raise ActionRefused(f"Bad date of birth: {final['dob']!r} (use YYYY-MM-DD)") from None
    info = PatientInfo(
        forename=final["forename"],
        surname=final["surname"],
        sex=final["sex"],
        dob=dob,
        address=final["address"],
        email=final["email"],
        gp=final["gp"],
        otherdetails=final["other"],
        idnums=tuple(sorted((w, v) for w, v in ids.items() if v is not None)),
    )
    try:
        check_new_patient(conn, group_id, info)
    except UserError as exc:
        raise ActionRefused(str(exc)) from None


def _apply_edit(
    conn: sa.Connection,
    patient: Mapping[Any, Any],
    fields: Mapping[str, str | None],
    idnums: Mapping[int, int | None],
    user_id: int,
    now: datetime,
    ip: str | None,
    *,
    in_place: bool,
    group: tuple[int, str] | None,
) -> tuple[int, list[str]]:
    if not patient["_current"]:
        raise ActionRefused("This is an old version of the patient; edit the current one.")
    descriptions = dict(
        conn.execute(
            sa.select(idnum_definitions.c.which_idnum, idnum_definitions.c.description)
        ).all()
    )
    changes: list[str] = []
    new_values: dict[str, Any] = {}
    for name in EDITABLE_FIELDS:
        if name in fields and _changed(patient[name], fields[name]):
            new_values[name] = fields[name]
            changes.append(f"{name}: {patient[name]!r} → {fields[name]!r}")
    group_id = int(patient["_group_id"])
    if group is not None and group[0] != group_id:
        old_name = conn.execute(sa.select(groups.c.name).where(groups.c.id == group_id)).scalar()
        changes.append(f"group: {old_name!r} → {group[1]!r}")
        group_id = group[0]
    old_idnums = current_idnums(conn, patient)
    touched: set[int] = set()
    idnum_changes: list[tuple[int, int | None]] = []
    for which in sorted(idnums):
        if which not in descriptions:
            raise ActionRefused(f"No such ID number type: {which}")
        old = old_idnums.get(which)
        old_value = old["idnum_value"] if old is not None else None
        if _changed(old_value, idnums[which]):
            idnum_changes.append((which, idnums[which]))
            changes.append(
                f"idnum{which} ({descriptions[which]}): {old_value!r} → {idnums[which]!r}"
            )
    if not changes:
        return int(patient["_pk"]), []
    if in_place:
        _check_server_patient(conn, patient, fields, dict(idnum_changes), group_id)
    patient_pk = int(patient["_pk"])
    p, i = CLIENT_TABLES["patient"], CLIENT_TABLES["patient_idnum"]
    lineage = sa.and_(
        i.c.patient_id == patient["id"],
        i.c._device_id == patient["_device_id"],
        i.c._era == patient["_era"],
    )
    if in_place:
        if new_values or group_id != patient["_group_id"]:
            conn.execute(
                sa.update(p).where(p.c._pk == patient_pk).values(**new_values, _group_id=group_id)
            )
        if group_id != patient["_group_id"]:
            # copse: the ID numbers follow the patient, so every row of the
            # patient is in the group that may see it.
            touched.update(
                int(pk) for pk in conn.execute(sa.select(i.c._pk).where(lineage)).scalars()
            )
            conn.execute(sa.update(i).where(lineage).values(_group_id=group_id))
    elif new_values:
        patient_pk = _new_version(conn, "patient", patient, new_values, user_id, now)
    stamp = storage_string(now)
    for which, value in idnum_changes:
        found = old_idnums.get(which)
        prior = None if found is None else {**found, "_group_id": group_id}
        if prior is not None and value is None:
            conn.execute(
                sa.update(i)
                .where(i.c._pk == prior["_pk"])
                .values(
                    _current=False,
                    _when_removed_exact=stamp,
                    _when_removed_batch_utc=now,
                    _removing_user_id=user_id,
                )
            )
            touched.add(int(prior["_pk"]))
        elif prior is not None:
            touched.update(
                {
                    int(prior["_pk"]),
                    _new_version(
                        conn, "patient_idnum", prior, {"idnum_value": value}, user_id, now
                    ),
                }
            )
        else:
            key = conn.execute(
                sa.insert(i).values(
                    id=_next_id(conn, "patient_idnum", patient["_device_id"], patient["_era"]),
                    patient_id=patient["id"],
                    which_idnum=which,
                    idnum_value=value,
                    when_last_modified=stamp,
                    _device_id=patient["_device_id"],
                    _era=patient["_era"],
                    _current=True,
                    _group_id=group_id,
                    _camcops_version=patient["_camcops_version"],
                    _when_added_exact=stamp,
                    _when_added_batch_utc=now,
                    _adding_user_id=user_id,
                    _addition_pending=False,
                    _removal_pending=False,
                    _forcibly_preserved=False,
                    _manually_erased=False,
                )
            ).inserted_primary_key
            assert key is not None
            touched.add(int(key[0]))
    text = "Patient details edited. Changes: " + "; ".join(changes)
    conn.execute(
        sa.insert(special_notes).values(
            basetable="patient",
            task_id=patient["id"],
            device_id=patient["_device_id"],
            era=patient["_era"],
            note_at=stamp,
            user_id=user_id,
            note=text,
            hidden=False,
        )
    )
    reindex_idnums(conn, touched, now)
    reindex_patients(conn, {int(patient["_pk"]), patient_pk}, now)
    audit(
        conn,
        "Patient edited",
        source="webviewer",
        now=now,
        remote_addr=ip,
        user_id=user_id,
        table_name="patient",
        server_pk=patient_pk,
        patient_server_pk=patient_pk,
    )
    return patient_pk, changes
