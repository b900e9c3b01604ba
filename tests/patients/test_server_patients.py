"""Server-created patients, access keys, IP use and task schedules (policies.md §5-6)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from copse.accounts.users import create_group, create_user, get_user_by_id, set_membership
from copse.errors import UserError
from copse.patients.ip_use import get_ip_use, ip_use_info_json, set_ip_use
from copse.patients.schedule_status import task_schedules_for_patient
from copse.patients.schedules import (
    add_schedule_item,
    assign_schedule,
    create_schedule,
    days_to_duration,
    duration_days,
    list_schedules,
    parse_settings,
)
from copse.patients.server_patients import (
    create_server_patient,
    find_by_access_key,
    list_server_patients,
    restricted_patient_for,
)
from copse.policy.proquint import uuid_to_proquint
from copse.schema.tables import CLIENT_TABLES, devices, groups, idnum_definitions, users
from tests.patients.rows import add_device, add_patient, insert_row
from tests.support.databases import Backend

NHS = 9434765919
NOW = datetime(2024, 3, 5, 10, 17, 42, 123456)


@pytest.fixture
def conn(db: Backend) -> Iterator[sa.Connection]:
    with db.engine.begin() as c:
        c.execute(
            sa.insert(idnum_definitions).values(
                which_idnum=1,
                description="NHS number",
                short_description="NHS#",
                validation_method="uk_nhs_number",
            )
        )
        c.execute(
            sa.insert(idnum_definitions).values(
                which_idnum=3, description="Local", short_description="L"
            )
        )
        gid = create_group(c, "clinic")
        c.execute(
            sa.update(groups).values(
                upload_policy="sex AND idnum1", finalize_policy="sex AND idnum1"
            )
        )
        c.info["gid"] = gid
        yield c


def make(conn: sa.Connection, **kw):  # type: ignore[no-untyped-def]
    args = dict(
        group_id=conn.info["gid"],
        forename="Jo",
        surname="Bloggs",
        sex="F",
        dob=date(1980, 2, 29),
        idnums=[(1, NHS), (3, 12)],
        now=NOW,
    )
    args.update(kw)
    return create_server_patient(conn, **args)


def test_create_on_server_device(conn: sa.Connection) -> None:
    p = make(conn)
    q = make(conn, idnums=[(1, 9876543210)])
    dev = conn.execute(sa.select(devices).where(devices.c.name == "server")).one()
    assert dev.friendly_name == "CamCOPS server"
    system = conn.execute(sa.select(users).where(users.c.id == dev.registered_by_user_id)).one()
    assert system.username == "system" and system.superuser and system.hashedpw == ""
    row = conn.execute(
        sa.select(CLIENT_TABLES["patient"]).where(CLIENT_TABLES["patient"].c._pk == p.pk)
    ).one()
    assert (row._device_id, row._era, bool(row._current), row._group_id) == (
        dev.id,
        "NOW",
        True,
        conn.info["gid"],
    )
    assert row.uuid == p.uuid.hex and len(row.uuid) == 32 and row.dob == "1980-02-29"
    assert (p.id, q.id) == (1, 2)
    ids = conn.execute(sa.select(CLIENT_TABLES["patient_idnum"])).all()
    assert sorted((r.id, r.patient_id, r.which_idnum, r.idnum_value) for r in ids) == [
        (1, 1, 1, NHS),
        (2, 1, 3, 12),
        (3, 2, 1, 9876543210),
    ]
    assert all(r._device_id == dev.id and r._era == "NOW" and r._current for r in ids)
    assert p.access_key == uuid_to_proquint(p.uuid) and len(p.access_key) == 49
    assert [x.pk for x in list_server_patients(conn)] == [p.pk, q.pk]


def test_patient_info_json_is_byte_exact(conn: sa.Connection) -> None:
    p = make(conn, email="jo@example.com")
    assert p.patient_info_json() == (
        '[{"surname": "Bloggs", "forename": "Jo", "sex": "F", "dob": "1980-02-29", '
        '"email": "jo@example.com", "address": null, "gp": null, "other": null, '
        f'"idnum1": {NHS}, "idnum3": 12}}]'
    )


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(sex="Q"), "Bad sex value: 'Q'"),
        (
            dict(idnums=[(1, 9434765918)]),
            "For ID type 1, ID number 9434765918 is invalid: Invalid UK NHS number",
        ),
        (
            dict(idnums=[(1, NHS), (1, 9876543210)]),
            "You have specified >1 value for one ID number type",
        ),
        (dict(idnums=[(9, 5)]), "No such ID number type: 9"),
        (
            dict(idnums=[(3, 5)]),
            "Patient would not meet 'finalize' ID policy for group: clinic! "
            "[That policy is: 'sex AND idnum1']",
        ),
        (dict(email="not an address"), "Bad e-mail address: 'not an address'"),
    ],
)
def test_creation_rules(conn: sa.Connection, kw: dict, message: str) -> None:
    with pytest.raises(UserError) as e:
        make(conn, **kw)
    assert e.value.message == message


def test_find_by_access_key(conn: sa.Connection) -> None:
    p = make(conn)
    assert find_by_access_key(conn, p.access_key).pk == p.pk
    bad = [
        p.access_key[:-1] + ("b" if p.access_key[-1] != "b" else "d"),  # check letter
        p.access_key.upper(),
        "",
        "hello",
        "x" * 49,
        p.access_key + "-babab",
        uuid_to_proquint(uuid.uuid4()),  # well formed, nobody has it
        "babab-babab-babab-babab-babab-babab-babab-babab",
    ]
    for key in bad:
        with pytest.raises(UserError) as e:
            find_by_access_key(conn, key)
        assert e.value.message == (
            f"There is no patient with access key '{key}'. Have you entered the key correctly?"
        )


def test_tablet_patient_is_not_reachable_by_key(conn: sa.Connection) -> None:
    dev = add_device(conn, "tab")
    u = uuid.uuid4()
    add_patient(
        conn, device_id=dev, group_id=conn.info["gid"], pid=1, sex="F", idnums={1: NHS}, uuid=u.hex
    )
    with pytest.raises(UserError, match="There is no patient"):
        find_by_access_key(conn, uuid_to_proquint(u))
    # Nor is an old or finalized server patient.
    p = make(conn)
    t = CLIENT_TABLES["patient"]
    conn.execute(sa.update(t).where(t.c._pk == p.pk).values(_era="2024-01-01T00:00:00Z"))
    with pytest.raises(UserError, match="There is no patient"):
        find_by_access_key(conn, p.access_key)


def test_restricted_patient(conn: sa.Connection) -> None:
    p = make(conn)
    uid = create_user(
        conn,
        "user-x-1",
        "pw",
        upload_group_id=conn.info["gid"],
        auto_generated=True,
        single_patient_pk=p.pk,
        bcrypt_rounds=4,
    )
    r = restricted_patient_for(conn, get_user_by_id(conn, uid))
    assert r is not None and r.patient is not None
    assert str(r.patient) == (
        "Patient(forename='Jo', surname='Bloggs', sex='F', DOB=1980-02-29, address=None, "
        f"email=None, gp=None, otherdetails=None, idnums=[idnum1={NHS}, idnum3=12])"
    )
    plain = create_user(conn, "bob", "pw", bcrypt_rounds=4)
    assert restricted_patient_for(conn, get_user_by_id(conn, plain)) is None


def test_ip_use(conn: sa.Connection) -> None:
    gid = conn.info["gid"]
    assert ip_use_info_json(get_ip_use(conn, gid)) == (
        '{"ip_use_commercial": 0, "ip_use_clinical": 0, "ip_use_educational": 0, '
        '"ip_use_research": 0}'
    )
    set_ip_use(conn, gid, clinical=True, research=True)
    set_ip_use(conn, gid, research=False, commercial=True)
    assert ip_use_info_json(get_ip_use(conn, gid)) == (
        '{"ip_use_commercial": 1, "ip_use_clinical": 1, "ip_use_educational": 0, '
        '"ip_use_research": 0}'
    )


def test_durations() -> None:
    assert days_to_duration(30) == "P0Y0MT2592000.0S"
    assert duration_days("P0Y0MT2592000.0S") == 30
    assert duration_days("P0Y0MT0.0S") == 0
    assert duration_days("P7D") == 7 and duration_days("P1W") == 7
    assert duration_days(None) is None and duration_days("junk") is None


def test_schedule_rules(conn: sa.Connection) -> None:
    sid = create_schedule(conn, group_id=conn.info["gid"], name="S")
    with pytest.raises(UserError, match="'Due from' must be zero or more days"):
        add_schedule_item(conn, schedule_id=sid, table="phq9", due_from_days=-1, due_within_days=1)
    with pytest.raises(UserError, match="'Due within' must be more than zero days"):
        add_schedule_item(conn, schedule_id=sid, table="phq9", due_from_days=0, due_within_days=0)
    with pytest.raises(UserError, match="Not a task table"):
        add_schedule_item(
            conn, schedule_id=sid, table="patient", due_from_days=0, due_within_days=1
        )
    with pytest.raises(UserError, match="valid JSON object"):
        parse_settings("[1]")
    assert parse_settings("  ") is None
    add_schedule_item(conn, schedule_id=sid, table="bmi", due_from_days=30, due_within_days=8)
    add_schedule_item(conn, schedule_id=sid, table="phq9", due_from_days=0, due_within_days=7)
    [s] = list_schedules(conn)
    assert [(i.table, i.due_from_days, i.due_within_days) for i in s.items] == [
        ("phq9", 0, 7),
        ("bmi", 30, 8),
    ]


def _reference_schedules(conn: sa.Connection):  # type: ignore[no-untyped-def]
    """The reference test's set-up (policies.md §5.6)."""
    gid = conn.info["gid"]
    p = make(conn)
    sid = create_schedule(conn, group_id=gid, name="Test 1")
    for table, start, within in (("phq9", 0, 7), ("bmi", 0, 8), ("phq9", 30, 7), ("gmcpq", 30, 8)):
        add_schedule_item(
            conn, schedule_id=sid, table=table, due_from_days=start, due_within_days=within
        )
    empty = create_schedule(conn, group_id=gid, name="Test 2")
    bst = timezone(timedelta(hours=1))
    assign_schedule(
        conn,
        patient_pk=p.pk,
        schedule_id=sid,
        start=datetime(2020, 7, 31, tzinfo=bst),
        settings={"bmi": {"bmi_key": "v"}},
    )
    assign_schedule(conn, patient_pk=p.pk, schedule_id=empty)
    user = get_user_by_id(conn, create_user(conn, "u", "pw", upload_group_id=gid, bcrypt_rounds=4))
    set_membership(conn, user.id, gid, may_upload=True, may_register_devices=True)
    return p, user


def test_task_schedules_reference_example(conn: sa.Connection) -> None:
    p, user = _reference_schedules(conn)
    dev = add_device(conn, "tab")
    gid = conn.info["gid"]
    add_patient(conn, device_id=dev, group_id=gid, pid=1, sex="F", idnums={1: NHS})
    insert_row(
        conn,
        "bmi",
        device_id=dev,
        group_id=gid,
        id=1,
        patient_id=1,
        when_created="2020-08-01T10:00:00.000+01:00",
        height_m=1.8,
        mass_kg=70,
        when_last_modified="2020-08-01T10:05:00.000+01:00",
    )
    # A PHQ-9 outside its window, and an incomplete one inside it.
    insert_row(
        conn,
        "phq9",
        device_id=dev,
        group_id=gid,
        id=1,
        patient_id=1,
        when_created="2020-08-07T00:00:00.000+01:00",
    )
    insert_row(
        conn,
        "phq9",
        device_id=dev,
        group_id=gid,
        id=2,
        patient_id=1,
        when_created="2020-08-02T00:00:00.000+01:00",
        q1=1,
    )
    result = task_schedules_for_patient(conn, p, user, NOW)
    assert [s["task_schedule_name"] for s in result] == ["Test 1", "Test 2"]
    assert result[1]["task_schedule_items"] == []
    items = result[0]["task_schedule_items"]
    assert [(i["table"], i["due_from"], i["due_by"]) for i in items] == [
        ("phq9", "2020-07-31T00:00:00+01:00", "2020-08-07T00:00:00+01:00"),
        ("bmi", "2020-07-31T00:00:00+01:00", "2020-08-08T00:00:00+01:00"),
        ("phq9", "2020-08-30T00:00:00+01:00", "2020-09-06T00:00:00+01:00"),
        ("gmcpq", "2020-08-30T00:00:00+01:00", "2020-09-07T00:00:00+01:00"),
    ]
    assert items[1] == {
        "table": "bmi",
        "anonymous": False,
        "settings": {"bmi_key": "v"},
        "due_from": "2020-07-31T00:00:00+01:00",
        "due_by": "2020-08-08T00:00:00+01:00",
        "complete": True,
        "when_completed": "2020-08-01T10:05:00+01:00",
    }
    assert items[0]["complete"] is False and items[0]["when_completed"] is None
    assert items[0]["settings"] == {}
    assert items[3]["anonymous"] is True and items[3]["complete"] is False


def test_task_in_invisible_group_does_not_count(conn: sa.Connection) -> None:
    p, user = _reference_schedules(conn)
    other = create_group(conn, "elsewhere")
    dev = add_device(conn, "tab")
    add_patient(conn, device_id=dev, group_id=other, pid=1, sex="F", idnums={1: NHS})
    insert_row(
        conn,
        "bmi",
        device_id=dev,
        group_id=other,
        id=1,
        patient_id=1,
        when_created="2020-08-01T10:00:00.000+01:00",
        height_m=1.8,
        mass_kg=70,
    )
    items = task_schedules_for_patient(conn, p, user, NOW)[0]["task_schedule_items"]
    assert items[1]["complete"] is False
    conn.execute(sa.update(users).where(users.c.id == user.id).values(superuser=True))
    items = task_schedules_for_patient(conn, p, get_user_by_id(conn, user.id), NOW)[0][
        "task_schedule_items"
    ]
    assert items[1]["complete"] is True


def test_missing_start_is_set_to_now_to_the_minute(conn: sa.Connection) -> None:
    p, user = _reference_schedules(conn)
    sid = create_schedule(conn, group_id=conn.info["gid"], name="Later")
    add_schedule_item(conn, schedule_id=sid, table="phq9", due_from_days=1, due_within_days=2)
    assign_schedule(conn, patient_pk=p.pk, schedule_id=sid)
    first = task_schedules_for_patient(conn, p, user, NOW)[2]["task_schedule_items"][0]
    assert (first["due_from"], first["due_by"]) == ("2024-03-06T10:17:00Z", "2024-03-08T10:17:00Z")
    # Stored, so a later request keeps the same start (re-read with its fixed offset).
    later = task_schedules_for_patient(conn, p, user, NOW + timedelta(days=3))
    again = later[2]["task_schedule_items"][0]
    assert again["due_from"] == "2024-03-06T10:17:00+00:00"
    assert datetime.fromisoformat(again["due_by"]) == datetime(2024, 3, 8, 10, 17, tzinfo=UTC)
    assert json.loads(json.dumps(later)) == later


def test_server_patient_is_indexed(db) -> None:  # type: ignore[no-untyped-def]
    """Creating a server patient keeps the ID-number index exact."""
    import datetime

    import sqlalchemy as sa

    from copse.accounts.users import create_group
    from copse.index.rebuild import check_index
    from copse.patients.server_patients import create_server_patient
    from copse.schema.tables import idnum_definitions, idnum_index

    now = datetime.datetime(2026, 1, 2, 3, 4, 5)
    with db.engine.begin() as conn:
        conn.execute(
            sa.insert(idnum_definitions).values(
                which_idnum=1,
                description="NHS number",
                short_description="NHS#",
                validation_method="uk_nhs_number",
            )
        )
        gid = create_group(conn, "g")
        conn.execute(
            sa.text("UPDATE _security_groups SET finalize_policy = 'sex AND idnum1' WHERE id = :g"),
            {"g": gid},
        )
        create_server_patient(
            conn,
            group_id=gid,
            forename="A",
            surname="B",
            sex="F",
            dob=None,
            idnums=[(1, 9434765919)],
            address=None,
            email=None,
            gp=None,
            other=None,
            adding_user_id=None,
            now=now,
        )
    with db.engine.connect() as conn:
        assert check_index(conn) == []
        assert conn.execute(sa.select(idnum_index.c.idnum_value)).scalars().all() == [9434765919]
