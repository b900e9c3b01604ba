"""The pure part of ``validate_patients`` (wire.md §3.9, policies.md §4)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from copse.errors import UserError
from copse.policy.evaluate import PatientFacts, parse_policy
from copse.policy.lexer import Item
from copse.policy.patients import (
    ParsedPatient,
    PatientInfo,
    RestrictedPatient,
    is_valid_email,
    parse_iso_date,
    parse_patient_json,
    patient_facts_from_json,
    patient_facts_from_record,
    patient_info_from_record,
    validate_patient_list,
)

ONLY_TYPE_1 = {1: "uk_nhs_number"}
PERMISSIVE = "sex OR NOT sex"  # satisfied by anyone; validity does not matter here


def validate(
    patient_info: str,
    *,
    idnum_definitions: dict[int, str | None] | None = None,
    upload_policy: str | None = PERMISSIVE,
    finalize_policy: str | None = PERMISSIVE,
    restricted_patient: RestrictedPatient | None = None,
) -> None:
    validate_patient_list(
        json.loads(patient_info),
        idnum_definitions=ONLY_TYPE_1 if idnum_definitions is None else idnum_definitions,
        upload_policy=upload_policy,
        finalize_policy=finalize_policy,
        restricted_patient=restricted_patient,
    )


def fails(patient_info: str, **kwargs: Any) -> str:
    with pytest.raises(UserError) as info:
        validate(patient_info, **kwargs)
    return info.value.message


# The reference's OpValidatePatientsTests, as black-box scenarios.
REFERENCE_FAILURES = [
    ("{}", "Top-level JSON is not a list"),
    ("[[]]", "Patient JSON is not a dict"),
    ("[{}]", "Patient JSON is empty"),
    ('[{"forename":1}]', "Patient JSON contains invalid non-string: 1"),
    ('[{"surname":2}]', "Patient JSON contains invalid non-string: 2"),
    ('[{"sex":"Q"}]', "Bad sex value: 'Q'"),
    ('[{"dob":3}]', "Patient JSON contains invalid non-string: 3"),
    ('[{"dob":"Yesterday"}]', "Invalid DOB: 'Yesterday'"),
    ('[{"email":4}]', "Patient JSON contains invalid non-string: 4"),
    ('[{"email":"email"}]', "Bad e-mail address: 'email'"),
    ('[{"address":5}]', "Patient JSON contains invalid non-string: 5"),
    ('[{"gp":6}]', "Patient JSON contains invalid non-string: 6"),
    ('[{"other":7}]', "Patient JSON contains invalid non-string: 7"),
    ('[{"idnumfoo":12345}]', "Bad idnum key: 'idnumfoo'"),
    ('[{"idnum2":12345}]', "Bad ID number type: 2"),
    ('[{"idnum1":12345,"idnum01":12345}]', "More than one ID number supplied for ID number type 1"),
    ('[{"idnum1":"foo"}]', "Bad ID number value: 'foo'"),
    ('[{"idnum1":0}]', "Bad ID number: IdNumReference(idnum_value=0, which_idnum=1)"),
    ('[{"finalizing":123}]', "Bad 'finalizing' value: 123"),
    ('[{"foobar":123}]', "Unknown JSON key: 'foobar'"),
    ('[{"surname":"Valid"}]', "Missing 'finalizing' JSON key"),
]


@pytest.mark.parametrize("patient_info,message", REFERENCE_FAILURES)
def test_reference_failures(patient_info: str, message: str) -> None:
    assert fails(patient_info) == message


MORE_FAILURES = [
    ('"text"', "Top-level JSON is not a list"),
    ("null", "Top-level JSON is not a list"),
    ('[{"finalizing":true}, 5]', "Patient JSON is not a dict"),
    ('[{"sex":null}]', "Bad sex value: None"),
    ('[{"sex":""}]', "Bad sex value: ''"),
    ('[{"sex":"m"}]', "Bad sex value: 'm'"),
    ('[{"sex":1}]', "Bad sex value: 1"),
    ('[{"forename":["a"]}]', "Patient JSON contains invalid non-string: ['a']"),
    ('[{"forename":true}]', "Patient JSON contains invalid non-string: True"),
    ('[{"forename":{"a":1}}]', "Patient JSON contains invalid non-string: {'a': 1}"),
    ('[{"dob":"2020-02-30"}]', "Invalid DOB: '2020-02-30'"),
    ('[{"dob":"01/02/2020"}]', "Invalid DOB: '01/02/2020'"),
    ('[{"dob":"P2D"}]', "Invalid DOB: 'P2D'"),  # the reference crashes here
    ('[{"email":"two@at@symbols.com"}]', "Bad e-mail address: 'two@at@symbols.com'"),
    ('[{"idnum":1}]', "Bad idnum key: 'idnum'"),
    ('[{"idnum1x":1}]', "Bad idnum key: 'idnum1x'"),
    ('[{"idnum-1":1}]', "Bad ID number type: -1"),
    ('[{"idnum1":null}]', "Bad ID number: IdNumReference(idnum_value=None, which_idnum=1)"),
    ('[{"idnum1":-5}]', "Bad ID number: IdNumReference(idnum_value=-5, which_idnum=1)"),
    ('[{"idnum1":1.5}]', "Bad ID number value: 1.5"),
    ('[{"idnum1":true}]', "Bad ID number value: True"),  # the reference accepts true
    ('[{"finalizing":null}]', "Bad 'finalizing' value: None"),
    ('[{"finalizing":"true"}]', "Bad 'finalizing' value: 'true'"),
    ('[{"finalizing":1}]', "Bad 'finalizing' value: 1"),
    ('[{"Forename":"A"}]', "Unknown JSON key: 'Forename'"),
    ('[{"IDNUM1":1}]', "Unknown JSON key: 'IDNUM1'"),
    # Keys are checked in order: the first bad one wins.
    ('[{"sex":"Q","forename":1}]', "Bad sex value: 'Q'"),
    ('[{"forename":1,"sex":"Q"}]', "Patient JSON contains invalid non-string: 1"),
    ('[{"foobar":1,"finalizing":2}]', "Unknown JSON key: 'foobar'"),
]


@pytest.mark.parametrize("patient_info,message", MORE_FAILURES)
def test_more_failures(patient_info: str, message: str) -> None:
    assert fails(patient_info) == message


def test_non_string_key_from_python_data() -> None:
    with pytest.raises(UserError, match="^Patient JSON contains absent string$"):
        parse_patient_json({1: "x"}, idnum_definitions={})


@pytest.mark.parametrize(
    "patient_info",
    [
        "[]",
        '[{"dob":"","finalizing":true}]',
        '[{"dob":null,"finalizing":false}]',
        '[{"forename":"A","surname":"B","sex":"F","dob":"1980-01-01","address":"1 Road",'
        '"gp":"Dr X","other":"more","email":"a@example.com","finalizing":true}]',
        '[{"email":"","finalizing":true}]',
        '[{"idnum1":9434765918,"finalizing":true}]',  # no NHS checksum here
        '[{"idnum1":1,"finalizing":true},{"idnum01":2,"finalizing":false}]',
    ],
)
def test_accepted(patient_info: str) -> None:
    validate(patient_info)


# -------------------------------------------------------------------- policies

JO = '{"forename":"Jo","surname":"Bloggs","sex":"F","dob":"1980-01-01","finalizing":%s}'
JO_INFO = (
    "Patient(forename='Jo', surname='Bloggs', sex='F', DOB=1980-01-01, address=None, "
    "email=None, gp=None, otherdetails=None, idnums=[])"
)


def test_finalize_policy_used_when_finalizing() -> None:
    kwargs: dict[str, Any] = {
        "upload_policy": "sex AND forename",
        "finalize_policy": "sex AND idnum1",
    }
    validate(f"[{JO % 'false'}]", **kwargs)
    assert fails(f"[{JO % 'true'}]", **kwargs) == (
        f"Invalid patient: {JO_INFO} -> Fails finalizing ID policy"
    )


def test_upload_policy_used_when_copying() -> None:
    kwargs: dict[str, Any] = {
        "upload_policy": "sex AND idnum1",
        "finalize_policy": "sex AND forename",
    }
    validate(f"[{JO % 'true'}]", **kwargs)
    assert fails(f"[{JO % 'false'}]", **kwargs) == (
        f"Invalid patient: {JO_INFO} -> Fails upload ID policy"
    )


@pytest.mark.parametrize("policy", [None, "", "sex AND"])
def test_missing_or_broken_policy_is_never_satisfied(policy: str | None) -> None:
    message = fails('[{"surname":"Valid","finalizing":true}]', finalize_policy=policy)
    assert message == (
        "Invalid patient: Patient(forename=None, surname='Valid', sex=None, DOB=None, "
        "address=None, email=None, gp=None, otherdetails=None, idnums=[]) "
        "-> Fails finalizing ID policy"
    )


def test_first_failing_patient_ends_the_request() -> None:
    good = '{"sex":"M","idnum1":5,"finalizing":true}'
    bad = '{"sex":"F","finalizing":true}'
    broken = '{"sex":"Q"}'
    message = fails(f"[{good},{bad},{broken}]", finalize_policy="sex AND idnum1")
    assert message.endswith("-> Fails finalizing ID policy")
    assert "sex='F'" in message


# ---------------------------------------------------------- restricted users

SERVER_PATIENT = PatientInfo(
    forename="Jo",
    surname="Bloggs",
    sex="F",
    dob=date(1980, 1, 1),
    idnums=((1, 9434765919), (2, 42)),
)
SERVER_JSON = (
    '{"forename":"Jo","surname":"Bloggs","sex":"F","dob":"1980-01-01",'
    '"idnum1":9434765919,"idnum2":42,"finalizing":true}'
)
DEFS_1_2 = {1: "uk_nhs_number", 2: None}
SERVER_INFO = (
    "Patient(forename='Jo', surname='Bloggs', sex='F', DOB=1980-01-01, address=None, "
    "email=None, gp=None, otherdetails=None, idnums=[idnum1=9434765919, idnum2=42])"
)


def test_restricted_user_with_own_patient_passes() -> None:
    validate(
        f"[{SERVER_JSON}]",
        idnum_definitions=DEFS_1_2,
        restricted_patient=RestrictedPatient("user-t-1", SERVER_PATIENT),
    )


@pytest.mark.parametrize(
    "change",
    [
        ('"forename":"Jo"', '"forename":"JO"'),
        ('"forename":"Jo"', '"forename":"Jo","address":""'),  # "" is not None
        ('"dob":"1980-01-01"', '"dob":"1980-01-02"'),
        ('"idnum2":42', '"idnum2":43'),
        ('"idnum1":9434765919,"idnum2":42', '"idnum2":42,"idnum1":9434765919'),  # order
        ('"idnum1":9434765919,', ""),
    ],
)
def test_restricted_user_with_other_patient_fails(change: tuple[str, str]) -> None:
    candidate = SERVER_JSON.replace(*change)
    message = fails(
        f"[{candidate}]",
        idnum_definitions=DEFS_1_2,
        restricted_patient=RestrictedPatient("user-t-1", SERVER_PATIENT),
    )
    assert message.startswith("Invalid patient: Patient(")
    assert message.endswith(f" -> Should be {SERVER_INFO}")


def test_restricted_user_without_patient() -> None:
    message = fails(
        f"[{SERVER_JSON}]",
        idnum_definitions=DEFS_1_2,
        restricted_patient=RestrictedPatient("user-t-1", None),
    )
    assert message == (
        f"Invalid patient: {SERVER_INFO} -> Restricted user user-t-1 does not have "
        "associated patient details"
    )


def test_both_reasons_are_joined() -> None:
    other = SERVER_JSON.replace('"Jo"', '"Al"')
    message = fails(
        f"[{other}]",
        idnum_definitions=DEFS_1_2,
        finalize_policy="",
        restricted_patient=RestrictedPatient("u", SERVER_PATIENT),
    )
    info = SERVER_INFO.replace("'Jo'", "'Al'")
    assert message == (
        f"Invalid patient: {info} -> Fails finalizing ID policy // "
        f"{info} -> Should be {SERVER_INFO}"
    )


# ------------------------------------------------------------------ rendering


@pytest.mark.parametrize(
    "info,text",
    [
        (
            PatientInfo(
                forename="A", surname="B", sex="F", dob=date(1980, 1, 1), idnums=((1, 123), (2, 5))
            ),
            "Patient(forename='A', surname='B', sex='F', DOB=1980-01-01, address=None, "
            "email=None, gp=None, otherdetails=None, idnums=[idnum1=123, idnum2=5])",
        ),
        (
            PatientInfo(forename="O'Brien", address="", otherdetails="x\ny"),
            "Patient(forename=\"O'Brien\", surname=None, sex=None, DOB=None, address='', "
            "email=None, gp=None, otherdetails='x\\ny', idnums=[])",
        ),
    ],
)
def test_patient_rendering(info: PatientInfo, text: str) -> None:
    assert str(info) == text


def test_parse_patient_json_keeps_order_and_finalizing() -> None:
    parsed = parse_patient_json(
        json.loads('{"idnum2":7,"other":"o","idnum01":3,"sex":"X","finalizing":false}'),
        idnum_definitions={1: None, 2: None},
    )
    assert parsed == ParsedPatient(
        PatientInfo(sex="X", otherdetails="o", idnums=((2, 7), (1, 3))), False
    )
    assert parse_patient_json({"sex": "M"}, idnum_definitions={}).finalizing is None


def test_patient_facts_from_json() -> None:
    facts = patient_facts_from_json(
        {"sex": "F", "idnum1": 5, "dob": "1980-01-01", "finalizing": True},
        idnum_definitions={1: None},
    )
    assert facts == PatientFacts(sex="F", dob=date(1980, 1, 1), idnums={1: 5})
    assert parse_policy("sex AND idnum1 AND dob").satisfied_by(facts)


# -------------------------------------------------------------- record helpers

RECORD = {
    "forename": "Jo",
    "surname": "Bloggs",
    "sex": "F",
    "dob": "1980-01-01",
    "address": None,
    "gp": None,
    "other": "x",
    "email": None,
    "id": 3,
}


def test_patient_info_from_record() -> None:
    info = patient_info_from_record(
        RECORD, [(1, 5), (2, None), (None, 3), (3, -1), (4, 0), (True, 1)]
    )
    assert info == PatientInfo(
        forename="Jo",
        surname="Bloggs",
        sex="F",
        dob=date(1980, 1, 1),
        otherdetails="x",
        idnums=((1, 5), (4, 0)),
    )


@pytest.mark.parametrize(
    "dob,expected",
    [
        (None, None),
        ("", None),
        (date(1980, 1, 1), date(1980, 1, 1)),
        (datetime(1980, 1, 1, 10), date(1980, 1, 1)),
        ("1980-01-01", date(1980, 1, 1)),
    ],
)
def test_patient_info_from_record_dob(dob: object, expected: date | None) -> None:
    assert patient_info_from_record({"dob": dob}).dob == expected


@pytest.mark.parametrize("dob", ["garbage", 19800101])
def test_patient_info_from_record_bad_dob(dob: object) -> None:
    with pytest.raises(ValueError):
        patient_info_from_record({"dob": dob})


def test_patient_facts_from_record() -> None:
    facts = patient_facts_from_record(
        {**RECORD, "dob": "garbage", "forename": 7}, [(1, 5), (2, None)]
    )
    assert facts.dob == "garbage" and facts.has(Item.DOB)
    assert facts.forename == "7"
    assert facts.idnums == {1: 5}
    assert parse_policy("sex AND idnum1 AND dob AND forename").satisfied_by(facts)
    assert not parse_policy("sex AND idnum2").satisfied_by(facts)
    assert not parse_policy("dob").satisfied_by(patient_facts_from_record({"dob": ""}))


# --------------------------------------------------------------------- e-mail


@pytest.mark.parametrize(
    "address,valid",
    [
        ("blah@somewhere.com", True),
        ("r&d@sillydomain.co.uk", True),
        ("me@localhost", True),
        ("a.b+c@x-y.example", True),
        ("plaintext", False),
        ("plain.domain.com", False),
        ("two@at@symbols.com", False),
        ("email", False),
        ("a@-x.com", False),
        ("a@x-.com", False),
        ("a@x..com", False),
        ("a@.com", False),
        ("@x.com", False),
        ("a@", False),
        ("a b@x.com", False),
        ("a@x.com\n", False),
        ("é@x.com", False),
        ("a@" + "x" * 63 + ".com", True),
        ("a@" + "x" * 64 + ".com", False),
        ("a" * 245 + "@" + "x" * 9, True),  # 255 characters
        ("a" * 246 + "@" + "x" * 9, False),  # 256 characters
    ],
)
def test_email(address: str, valid: bool) -> None:
    assert is_valid_email(address) is valid


# ----------------------------------------------------------------- dates of birth


@pytest.mark.parametrize(
    "text,expected",
    [
        ("1980-02-29", date(1980, 2, 29)),
        ("20200101", date(2020, 1, 1)),
        ("2020-W01-1", date(2019, 12, 30)),
        ("2020W011", date(2019, 12, 30)),
        ("2020-W01", date(2019, 12, 30)),
        ("2020-001", date(2020, 1, 1)),
        ("2020366", date(2020, 12, 31)),
        ("9999-365", date(9999, 12, 31)),
        ("2020-01-31T10:00:00.123+01:00", date(2020, 1, 31)),
        ("2020-01-31T23:59:59Z", date(2020, 1, 31)),
        ("2020-01-31 10:00", date(2020, 1, 31)),
        ("20200131T1000-0500", date(2020, 1, 31)),
    ],
)
def test_dob_accepted(text: str, expected: date) -> None:
    assert parse_iso_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Yesterday",
        "2020-02-30",
        "01/02/2020",
        "10:00",
        "P2D",
        "2020",
        "2020-01",
        "",
        "2019-366",
        "9999-366",
        "2020-000",
        "0000-01-01",
        "2020-W54-1",
        "2020-W01-8",
        "2020-13-01",
        "2020-01-31T",
        "2020-01-31T24:00",
        "2020-01-31T10:60",
        " 2020-01-01",
        "2020-01-01 ",
        "2020-01-01\n",
        "\u0662\u0660\u0662\u0660-01-01",
    ],
)
def test_dob_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_iso_date(text)


@given(st.dates())
def test_dob_round_trip(d: date) -> None:
    assert parse_iso_date(d.isoformat()) == d
    assert parse_iso_date(f"{d.year:04d}{d.month:02d}{d.day:02d}") == d


@given(st.text(max_size=40))
def test_dob_only_raises_value_error(text: str) -> None:
    try:
        parse_iso_date(text)
    except ValueError:
        pass


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
        lambda children: st.lists(children) | st.dictionaries(st.text(), children),
        max_leaves=20,
    )
)
def test_arbitrary_json_only_raises_user_error(data: object) -> None:
    try:
        validate_patient_list(
            data,
            idnum_definitions={1: None},
            upload_policy=PERMISSIVE,
            finalize_policy=PERMISSIVE,
            restricted_patient=None,
        )
    except UserError:
        pass
