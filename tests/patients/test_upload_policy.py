"""Upload-time ID-policy enforcement, on real databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from copse.accounts.users import create_group, create_user, get_user_by_id
from copse.errors import UserError
from copse.patients.server_patients import create_server_patient
from copse.patients.upload_policy import check_uploaded_patients
from copse.schema.tables import groups, idnum_definitions
from tests.patients.rows import add_device, add_patient
from tests.support.databases import Backend

NHS = 9434765919
OTHER_NHS = 9876543210


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
                which_idnum=2, description="RiO", short_description="RiO"
            )
        )
        gid = create_group(c, "g")
        c.execute(
            sa.update(groups).values(
                upload_policy="sex AND anyidnum", finalize_policy="sex AND idnum1 AND surname"
            )
        )
        c.info["gid"] = gid
        c.info["dev"] = add_device(c, "tab1")
        yield c


def check(conn: sa.Connection, finalizing: set[int] | str = frozenset(), user=None) -> None:
    check_uploaded_patients(
        conn,
        device_id=conn.info["dev"],
        group_id=conn.info["gid"],
        finalizing_patient_ids=finalizing,
        user=user,
    )  # type: ignore[arg-type]


def patient(conn: sa.Connection, pid: int, idnums: dict[int, int] | None = None, **kw) -> int:
    kw.setdefault("sex", "F")
    return add_patient(
        conn, device_id=conn.info["dev"], group_id=conn.info["gid"], pid=pid, idnums=idnums, **kw
    )


def test_passing_patients_and_no_patients(conn: sa.Connection) -> None:
    check(conn)
    patient(conn, 1, {1: NHS}, surname="Smith")
    patient(conn, 2, {2: 77})
    check(conn)
    check(conn, {1})


def test_upload_policy_failure_names_patient_and_policy(conn: sa.Connection) -> None:
    patient(conn, 1, {1: NHS})
    patient(conn, 7, {})
    with pytest.raises(UserError) as e:
        check(conn)
    assert e.value.message == (
        "Upload refused: patient with client id 7 does not satisfy the upload ID policy "
        "of group g: 'sex AND anyidnum'"
    )


def test_finalize_policy_for_finalized_patients_only(conn: sa.Connection) -> None:
    patient(conn, 1, {1: NHS}, surname="Smith")
    patient(conn, 2, {2: 5})
    check(conn, {1})
    with pytest.raises(UserError, match="client id 2 does not satisfy the finalize ID policy"):
        check(conn, {2})
    with pytest.raises(UserError, match="client id 2 .* finalize"):
        check(conn, "all")


def test_pending_states(conn: sa.Connection) -> None:
    # A failing patient that this batch removes does not count ...
    patient(conn, 1, {}, state={"removal_pending": True})
    # ... but one it adds does, with ID numbers added in the same batch.
    patient(conn, 2, {1: NHS}, state={"current": False, "addition_pending": True})
    check(conn)
    # ID numbers pending removal no longer count.
    patient(conn, 3, {1: NHS}, idnum_state={"removal_pending": True})
    with pytest.raises(UserError, match="client id 3"):
        check(conn)


def test_other_devices_eras_and_old_versions_are_ignored(conn: sa.Connection) -> None:
    other = add_device(conn, "tab2")
    add_patient(conn, device_id=other, group_id=conn.info["gid"], pid=1, sex="F")
    patient(conn, 2, {}, era="2023-01-01T00:00:00Z")
    patient(conn, 3, {}, state={"current": False})
    check(conn)


def test_switched_off_per_group(conn: sa.Connection) -> None:
    patient(conn, 1, {})
    conn.execute(sa.update(groups).values(check_policy_on_upload=False))
    check(conn)


def test_empty_policy_refuses_everyone(conn: sa.Connection) -> None:
    conn.execute(sa.update(groups).values(upload_policy=None))
    patient(conn, 1, {1: NHS})
    with pytest.raises(UserError, match="none set"):
        check(conn)


def test_restricted_user_only_their_own_patient(conn: sa.Connection) -> None:
    sp = create_server_patient(
        conn,
        group_id=conn.info["gid"],
        forename="Jo",
        surname="Smith",
        sex="F",
        dob=date(1980, 1, 1),
        idnums=[(1, NHS)],
        now=datetime(2024, 1, 1),
    )
    uid = create_user(
        conn,
        "user-tab1-1",
        "pw",
        upload_group_id=conn.info["gid"],
        auto_generated=True,
        single_patient_pk=sp.pk,
        bcrypt_rounds=4,
    )
    user = get_user_by_id(conn, uid)
    patient(conn, 1, {1: NHS}, surname="Smith")
    check(conn, user=user)
    # Policy checks off: the restriction still holds.
    conn.execute(sa.update(groups).values(check_policy_on_upload=False))
    patient(conn, 2, {1: OTHER_NHS})
    with pytest.raises(UserError) as e:
        check(conn, user=user)
    assert "user-tab1-1 may only upload data for their own patient" in e.value.message
    assert "client id 2" in e.value.message


def test_restricted_user_without_patient(conn: sa.Connection) -> None:
    uid = create_user(
        conn,
        "user-tab1-9",
        "pw",
        upload_group_id=conn.info["gid"],
        auto_generated=True,
        bcrypt_rounds=4,
    )
    patient(conn, 1, {1: NHS})
    with pytest.raises(UserError, match="does not have associated patient details"):
        check(conn, user=get_user_by_id(conn, uid))


def test_two_queries_for_patient_data(conn: sa.Connection) -> None:
    for pid in range(1, 30):
        patient(conn, pid, {1: NHS, 2: pid})
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    sa.event.listen(conn, "before_cursor_execute", count)
    try:
        check(conn)
    finally:
        sa.event.remove(conn, "before_cursor_execute", count)
    # One for the group, one for patients, one for ID numbers.
    assert len(statements) == 3, statements
