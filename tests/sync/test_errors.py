"""Every upload operation's error messages; a failed request changes nothing."""

from __future__ import annotations

import pytest

from copse.errors import UserError
from copse.schema.registry import TABLES
from tests.sync.conftest import SATIS_FIELDS, Harness, satis, when

T = "ref_satis_gen"
BMI = [
    "id",
    "height_m",
    "mass_kg",
    "when_created",
    "when_last_modified",
    "_move_off_tablet",
    "patient_id",
]


def err(h: Harness, op: str, **form: object) -> str:
    with pytest.raises(UserError) as e:
        h.call(op, **form)
    return e.value.message


def test_table_names_and_versions(h: Harness) -> None:
    assert (
        err(h, "upload_table", table="nonexistent_table")
        == "Invalid client table name: nonexistent_table"
    )
    assert err(h, "which_keys_to_send", table="cesd", pkname="id", version="2.2.7") == (
        "Client CamCOPS version 2.2.7 is less than the version (2.2.8) "
        "required to handle table cesd"
    )
    assert err(h, "upload_empty_tables", tables="bmi, nope") == "Invalid client table name: nope"
    assert err(h, "upload_empty_tables") == "Must provide the variable: tables"
    assert TABLES["cesd"].min_client_version == "2.2.8"


def test_field_names(h: Harness) -> None:
    assert (
        err(h, "upload_record", table="bmi", pkname="id", fields="id,_current", values="1,0")
        == "Reserved field name for table 'bmi': '_current'"
    )
    assert (
        err(h, "upload_record", table="bmi", pkname="id", fields="id,nonsense", values="1,0")
        == "Invalid field name for table 'bmi': 'nonsense'"
    )
    assert (
        err(h, "upload_record", table="bmi", pkname="_pk", fields="id", values="1")
        == "Reserved field name for table 'bmi': '_pk'"
    )
    assert (
        err(h, "delete_where_key_not", table="bmi", pkname="idx", pkvalues="1")
        == "Invalid field name for table 'bmi': 'idx'"
    )
    assert (
        err(h, "upload_table", table="bmi", fields="id,_PK", nrecords=0, pkname="id")
        == "Invalid field name for table 'bmi': '_PK'"
    )
    assert (
        err(h, "upload_record", table="bmi", pkname="id", fields="id,height_m", values="1")
        == "Number of fields (2) doesn't match number of values (1)"
    )


def test_upload_table_errors(h: Harness) -> None:
    base = dict(table="bmi", fields=",".join(BMI), pkname="id")
    assert err(h, "upload_table", nrecords=-1, **base) == "nrecords=-1: can't be less than 0"
    assert err(h, "upload_table", nrecords=1, record0="1", **base) == (
        "Number of fields in field list (7) doesn't match number of values in record 0 (1)"
    )
    assert (
        err(h, "upload_table", nrecords=2, record0=f"1,1.8,70,'{when(0)}','{when(0)}',0,1", **base)
        == "Must provide the variable: record1"
    )
    assert (
        err(h, "upload_table", nrecords="x", **base)
        == "Variable nrecords is not a valid integer; was 'x'"
    )
    assert (
        err(h, "upload_table", table="bmi", fields=",".join(BMI), nrecords=0)
        == "Must provide the variable: pkname"
    )
    # Below 2.0.4 the PK name is optional ("id" assumed).
    assert (
        h.call("upload_table", table="bmi", fields=",".join(BMI), nrecords=0, version="2.0.3")
        == "Table bmi upload successful"
    )


def test_required_fields_and_values(h: Harness) -> None:
    msg = err(
        h,
        "upload_record",
        table=T,
        pkname="id",
        fields="id,rating,when_created,_move_off_tablet",
        values=f"1,1,'{when(0)}',0",
    )
    assert msg == "Field 'when_last_modified' missing in client input"
    msg = err(
        h,
        "upload_record",
        table=T,
        pkname="id",
        fields="id,when_created,when_last_modified",
        values=f"1,'{when(0)}','{when(0)}'",
    )
    assert msg == "Field '_move_off_tablet' missing in client input"
    fields = ",".join(SATIS_FIELDS)
    assert (
        err(
            h,
            "upload_record",
            table=T,
            pkname="id",
            fields=fields,
            values=f"1,'three','{when(0)}','{when(0)}',0",
        )
        == "Bad value for field 'rating' of table 'ref_satis_gen': expected an integer, got 'three'"
    )
    assert (
        err(
            h,
            "upload_record",
            table=T,
            pkname="id",
            fields=fields,
            values=f"1,1,NULL,'{when(0)}',0",
        )
        == "Field 'when_created' of table 'ref_satis_gen' must not be NULL"
    )
    assert (
        err(
            h,
            "upload_record",
            table=T,
            pkname="id",
            fields=fields,
            values=f"1,1,'{when(0)}','Tuesday',0",
        )
        == "ParserError: Unable to parse string [Tuesday]"
    )
    bf = "id,tablename,tablepk,fieldname,theblob,when_last_modified,_move_off_tablet"
    assert err(
        h,
        "upload_record",
        table="blobs",
        pkname="id",
        fields=bf,
        values=f"1,'t',1,'f','notablob','{when(0)}',0",
    ) == (
        "Bad value for field 'theblob' of table 'blobs': expected a BLOB (X'..' or 64'..'), "
        "got 'notablob'"
    )
    assert h.rows(T) == [] and h.rows("blobs") == []


def test_which_keys_to_send_errors(h: Harness) -> None:
    base = dict(table="bmi", pkname="id")
    assert "Number of PK values (1) doesn't match number of dates (0)" == err(
        h, "which_keys_to_send", pkvalues="1", datevalues="", **base
    )
    assert (
        err(
            h,
            "which_keys_to_send",
            pkvalues="1,2",
            datevalues="2025-01-23,2025-01-24",
            move_off_tablet_values="1",
            **base,
        )
        == "Number of move-off-tablet values (1) doesn't match number of PKs (2)"
    )
    assert (
        err(
            h,
            "which_keys_to_send",
            pkvalues="1,strawberry",
            datevalues="2025-01-23,2025-01-24",
            move_off_tablet_values="1,1",
            **base,
        )
        == "Bad (non-integer) client PK: 'strawberry'"
    )
    assert (
        err(
            h,
            "which_keys_to_send",
            pkvalues="1",
            datevalues="null",
            move_off_tablet_values="1",
            **base,
        )
        == "Missing date/time for client PK 1"
    )
    assert (
        err(
            h,
            "which_keys_to_send",
            pkvalues="1",
            datevalues="Tuesday",
            move_off_tablet_values="1",
            **base,
        )
        == "Bad date/time: 'Tuesday'"
    )
    assert (
        h.call(
            "which_keys_to_send",
            pkvalues="123",
            datevalues="2025-01-23",
            move_off_tablet_values="1",
            **base,
        )
        == "123"
    )
    assert h.call("which_keys_to_send", **base) == ""


def test_delete_where_key_not_needs_values(h: Harness) -> None:
    assert (
        err(h, "delete_where_key_not", table="bmi", pkname="id")
        == "Must provide the variable: pkvalues"
    )


def test_patient_idnum_validation(h: Harness) -> None:
    f = "id,which_idnum,idnum_value,when_last_modified,_move_off_tablet,patient_id"
    assert (
        err(
            h,
            "upload_record",
            table="patient_idnum",
            pkname="id",
            fields=f,
            values=f"1,2,{9434765919},'{when(0)}',0,1",
        )
        == "No such ID number type: 2"
    )
    assert (
        err(
            h,
            "upload_record",
            table="patient_idnum",
            pkname="id",
            fields=f,
            values=f"1,1,123,'{when(0)}',0,1",
        )
        == "For ID type 1, ID number 123 is invalid: Invalid UK NHS number"
    )
    assert (
        h.call(
            "upload_record",
            table="patient_idnum",
            pkname="id",
            fields=f,
            values=f"1,1,9434765919,'{when(0)}',0,1",
        )
        == "UPLOAD-INSERT"
    )
    assert h.rows("patient_idnum")[0].idnum_value == 9434765919


def test_failed_request_is_atomic(h: Harness) -> None:
    h.stepwise({T: (SATIS_FIELDS, [satis(1, 0)])})
    h.call("start_upload")
    before = [tuple(r) for r in h.rows(T)]
    form = dict(
        table=T,
        fields=",".join(SATIS_FIELDS),
        pkname="id",
        nrecords=2,
        record0=f"1,2,'{when(0)}','{when(9)}',0",
        record1="2,'x'",
    )
    with pytest.raises(UserError):
        h.call("upload_table", **form)
    assert [tuple(r) for r in h.rows(T)] == before
