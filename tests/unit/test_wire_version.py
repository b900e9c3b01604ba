"""Tests for copse.wire.version (wire.md §2.1 point 5, §2.4, §8 item 7)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from copse.errors import BadRequest
from copse.wire.version import (
    FIRST_TABLET_VER_WITH_EXPLICIT_PKNAME_IN_UPLOAD_TABLE,
    FIRST_TABLET_VER_WITH_SEPARATE_IDNUM_TABLE,
    MINIMUM_TABLET_VERSION,
    SERVER_CAMCOPS_VERSION,
    SERVER_CAMCOPS_VERSION_STRING,
    Version,
    check_client_version,
    cope_with_deleted_patient_descriptors,
    cope_with_old_idnums,
    explicit_pkname_for_upload_table,
    make_version,
    parse_client_version,
    parse_semver,
    pkname_in_upload_table_neither_first_nor_explicit,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, Version(0, 0, 0)),
        ("2.4.24", Version(2, 4, 24)),
        ("2.0.0", Version(2, 0, 0)),
        ("2.4.24-beta", Version(2, 4, 24, "beta")),
        ("2.4.24-rc.1+build.5", Version(2, 4, 24, "rc.1", "build.5")),
        ("2", Version(2, 0, 0)),
        ("3", Version(3, 0, 0)),
        ("2.4", Version(2, 40, 0)),  # reference quirk
        ("1.14", Version(1, 14, 0)),
        ("1.5", Version(1, 50, 0)),
        ("1.0", Version(1, 0, 0)),
        ("2.123", Version(2, 123, 0)),
        ("1.", Version(1, 0, 0)),  # "".ljust(2, "0") is "00"
        ("+2", Version(2, 0, 0)),  # Python int() leniency
    ],
)
def test_make_version(text: str | None, expected: Version) -> None:
    v = make_version(text)
    assert v == expected
    assert (v.major, v.minor, v.patch, v.prerelease) == (
        expected.major,
        expected.minor,
        expected.patch,
        expected.prerelease,
    )


@pytest.mark.parametrize(
    "text",
    [
        "banana",
        "",
        "2.4.x",
        "2.4.24.1",
        "1.2.3.4",
        "2.a",
        "a.2",
        ".5",
        "02.4.24",
        "2.4.024",
        "2.4.24-",
        "2.4.24-01",
        "2.4.24-a..b",
        "2.4.24+",
        "-1",
        "1.-5",
        "2-beta",
    ],
)
def test_nonsense_versions(text: str) -> None:
    with pytest.raises(BadRequest) as info:
        make_version(text)
    assert info.value.message == f"CamCOPS tablet version nonsensical: {text!r}"


def test_str() -> None:
    assert str(make_version("2.4.24")) == "2.4.24"
    assert str(make_version("2.4")) == "2.40.0"
    assert str(make_version("2.4.24-beta+b1")) == "2.4.24-beta+b1"
    assert SERVER_CAMCOPS_VERSION_STRING == "2.4.24"
    assert str(SERVER_CAMCOPS_VERSION) == SERVER_CAMCOPS_VERSION_STRING


def test_semver_precedence_chain() -> None:
    # The ordering example from the semver specification.
    chain = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.1.0",
        "2.0.0",
    ]
    versions = [make_version(s) for s in chain]
    for lower, higher in zip(versions, versions[1:], strict=False):
        assert lower < higher
        assert higher > lower
        assert lower <= higher and not higher <= lower
    assert sorted(reversed(versions)) == versions


def test_build_metadata_ignored_for_precedence() -> None:
    assert make_version("1.0.0+a") == make_version("1.0.0+b")
    assert hash(make_version("1.0.0+a")) == hash(make_version("1.0.0"))


def test_numeric_ordering() -> None:
    assert make_version("2.10.0") > make_version("2.9.0")
    assert make_version("2.4") > make_version("2.4.24")  # 2.40.0


def test_thresholds_and_predicates() -> None:
    assert MINIMUM_TABLET_VERSION == Version(2, 0, 0)
    assert FIRST_TABLET_VER_WITH_SEPARATE_IDNUM_TABLE == Version(2, 0, 1)
    assert FIRST_TABLET_VER_WITH_EXPLICIT_PKNAME_IN_UPLOAD_TABLE == Version(2, 0, 4)

    assert cope_with_old_idnums(make_version("2.0.0"))
    assert cope_with_old_idnums(make_version("2.0.1-beta"))
    assert not cope_with_old_idnums(make_version("2.0.1"))
    assert not cope_with_old_idnums(make_version("2.4.24"))

    assert not explicit_pkname_for_upload_table(make_version("2.0.3"))
    assert not explicit_pkname_for_upload_table(make_version("2.0.4-rc1"))
    assert explicit_pkname_for_upload_table(make_version("2.0.4"))
    assert explicit_pkname_for_upload_table(make_version("2.4.24"))

    assert pkname_in_upload_table_neither_first_nor_explicit(make_version("2.0.2"))
    assert not pkname_in_upload_table_neither_first_nor_explicit(make_version("2.0.4"))
    assert cope_with_deleted_patient_descriptors(make_version("1.14"))
    assert not cope_with_deleted_patient_descriptors(make_version("2.0.0"))


@pytest.mark.parametrize("raw", [None, "1.14.0", "1.99", "1", "2.0.0-beta"])
def test_too_old(raw: str | None) -> None:
    with pytest.raises(BadRequest) as info:
        parse_client_version(raw)
    assert info.value.message == f"Tablet CamCOPS version too old: is {raw}, need 2.0.0"


@pytest.mark.parametrize("raw", ["2.0.0", "2", "2.4", "2.4.24", "3.0.0-alpha"])
def test_new_enough(raw: str) -> None:
    v = parse_client_version(raw)
    check_client_version(v, raw)


def test_parse_semver_rejects_partial() -> None:
    assert parse_semver("2.4") is None
    assert parse_semver("v2.4.24") is None
    assert parse_semver("2.4.24\n") is None
    assert parse_semver("2.4.24") == Version(2, 4, 24)


@given(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 10**6))
def test_strict_round_trip(a: int, b: int, c: int) -> None:
    v = make_version(f"{a}.{b}.{c}")
    assert v == Version(a, b, c)
    assert make_version(str(v)) == v


@given(
    st.tuples(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50)),
    st.tuples(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50)),
)
def test_release_ordering_is_tuple_ordering(
    a: tuple[int, int, int], b: tuple[int, int, int]
) -> None:
    assert (Version(*a) < Version(*b)) == (a < b)
    assert (Version(*a) == Version(*b)) == (a == b)
