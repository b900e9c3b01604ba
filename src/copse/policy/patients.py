"""The pure part of ``validate_patients`` (wire.md §3.9, policies.md §4).

Before uploading, the tablet sends its patients as a JSON list and asks
whether the server would accept them.  Each patient is checked key by key
(the first bad key ends the request with its message), then against the
upload or finalize ID policy of the user's upload group, and, for an
auto-generated single-patient user, against that user's own patient.

This module takes already-decoded JSON and the facts it needs as plain
arguments, and raises :class:`~copse.errors.UserError` with the reference's
messages.  The same parsing and policy helpers serve the upload path,
where copse (unlike the reference) enforces the policies itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from copse.errors import UserError
from copse.policy.evaluate import PatientFacts, Policy, parse_policy

__all__ = [
    "MAX_EMAIL_LENGTH",
    "ParsedPatient",
    "PatientInfo",
    "RestrictedPatient",
    "is_valid_email",
    "parse_iso_date",
    "parse_patient_json",
    "patient_facts_from_json",
    "patient_facts_from_record",
    "patient_info_from_record",
    "validate_patient_list",
]

VALID_SEXES = frozenset({"M", "F", "X"})
MAX_EMAIL_LENGTH = 255
# JSON key -> PatientInfo attribute, for keys that hold free text.
_TEXT_KEYS = {
    "forename": "forename",
    "surname": "surname",
    "address": "address",
    "gp": "gp",
    "other": "otherdetails",
}
_IDNUM_PREFIX = "idnum"


# --------------------------------------------------------------------------
# Dates of birth


_DATE_FORMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.ASCII), kind)
    for pattern, kind in (
        (r"(\d{4})-(\d{2})-(\d{2})", "calendar"),
        (r"(\d{4})(\d{2})(\d{2})", "calendar"),
        (r"(\d{4})-W(\d{2})-(\d)", "week"),
        (r"(\d{4})W(\d{2})(\d)", "week"),
        (r"(\d{4})-W(\d{2})", "week"),
        (r"(\d{4})W(\d{2})", "week"),
        (r"(\d{4})-(\d{3})", "ordinal"),
        (r"(\d{4})(\d{3})", "ordinal"),
    )
)
_DATE_TIME = re.compile(r"(?P<date>[^Tt ]*)(?:[Tt ](?P<time>.*))?", re.DOTALL)
_TIME = re.compile(
    r"(?P<h>\d{2})(?::?(?P<m>\d{2})(?::?(?P<s>\d{2})(?:[.,]\d+)?)?)?"
    r"(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?",
    re.ASCII,
)


def parse_iso_date(text: str) -> date:
    """The date in an ISO 8601 date or date-time; ``ValueError`` if none.

    Accepted, as by the reference's parser: calendar dates
    (``2020-01-31``, ``20200131``), week dates (``2020-W01-1``,
    ``2020-W01`` meaning its Monday), ordinal dates (``2020-001``), each
    optionally followed by ``T`` or a space and a time with optional
    fraction and zone.  The date part is kept as written, whatever the
    zone.  Impossible dates (``2020-02-30``) and other layouts
    (``01/02/2020``) are refused.

    copse knowingly refuses three things the reference accepts or trips
    over: a bare time (``10:00``, which the reference takes as *today*, a
    meaningless date of birth), a duration (``P2D``, which crashes the
    reference), and reduced precision such as ``2020`` or ``2020-01``.
    """
    split = _DATE_TIME.fullmatch(text)
    assert split is not None  # the pattern matches any text
    date_part, time_part = split["date"], split["time"]
    if time_part is not None and not _valid_time(time_part):
        raise ValueError(f"Bad time in {text!r}")
    for pattern, kind in _DATE_FORMS:
        match = pattern.fullmatch(date_part)
        if match is None:
            continue
        year, second, *rest = (int(g) for g in match.groups())
        if kind == "calendar":
            return date(year, second, rest[0])
        if kind == "week":
            return date.fromisocalendar(year, second, rest[0] if rest else 1)
        first, last = date(year, 1, 1), date(year, 12, 31)
        if not 1 <= second <= (last - first).days + 1:
            raise ValueError(f"Bad day of the year in {text!r}")
        return first + timedelta(days=second - 1)
    raise ValueError(f"Not an ISO 8601 date: {text!r}")


def _valid_time(text: str) -> bool:
    match = _TIME.fullmatch(text)
    if match is None:
        return False
    hour, minute, second = (int(match[g] or 0) for g in ("h", "m", "s"))
    return hour <= 23 and minute <= 59 and second <= 59


# --------------------------------------------------------------------------
# E-mail addresses

_EMAIL = re.compile(
    r"[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+"
    r"@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*"
)


def is_valid_email(text: str) -> bool:
    """The rule the reference applies to patient e-mail addresses.

    At most 255 characters; a local part of ASCII letters, digits and
    ``.!#$%&'*+/=?^_`{|}~-``; one ``@``; then dot-separated DNS labels of
    1-63 ASCII letters, digits and hyphens, not starting or ending with a
    hyphen.  No top-level domain is required (``me@localhost`` passes) and
    no attempt is made at the full RFC 5322 grammar.
    """
    return len(text) <= MAX_EMAIL_LENGTH and _EMAIL.fullmatch(text) is not None


# --------------------------------------------------------------------------
# Patients


@dataclass(frozen=True)
class PatientInfo:
    """A patient's identifying details, exactly as given.

    ``None`` and ``""`` are different values here (they matter when a
    single-patient user's patient is compared), though both count as
    absent for ID policies.  ``idnums`` keeps its order, as (type, value).
    """

    forename: str | None = None
    surname: str | None = None
    sex: str | None = None
    dob: date | None = None
    address: str | None = None
    email: str | None = None
    gp: str | None = None
    otherdetails: str | None = None
    idnums: tuple[tuple[int, int | None], ...] = ()

    def __str__(self) -> str:
        """The reference's rendering, used in ``Invalid patient`` messages."""
        ids = ", ".join(f"idnum{which}={value}" for which, value in self.idnums)
        dob = self.dob.isoformat() if self.dob is not None else "None"
        return (
            f"Patient(forename={self.forename!r}, surname={self.surname!r}, "
            f"sex={self.sex!r}, DOB={dob}, address={self.address!r}, "
            f"email={self.email!r}, gp={self.gp!r}, "
            f"otherdetails={self.otherdetails!r}, idnums=[{ids}])"
        )

    def facts(self) -> PatientFacts:
        """What an ID policy sees of this patient."""
        return PatientFacts(
            forename=self.forename,
            surname=self.surname,
            dob=self.dob,
            sex=self.sex,
            address=self.address,
            gp=self.gp,
            otherdetails=self.otherdetails,
            email=self.email,
            idnums=dict(self.idnums),
        )


@dataclass(frozen=True)
class ParsedPatient:
    """One element of ``patient_info``; ``finalizing`` is None if absent."""

    info: PatientInfo
    finalizing: bool | None


@dataclass(frozen=True)
class RestrictedPatient:
    """The restriction on an auto-generated (single-patient) user.

    ``patient`` is the server patient the user was created for, or
    ``None`` if that patient has gone.
    """

    username: str
    patient: PatientInfo | None


def _string_value(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise UserError(f"Patient JSON contains invalid non-string: {value!r}")


def _parse_idnum(
    key: str,
    value: object,
    idnum_definitions: Mapping[int, str | None],
    seen: set[int],
) -> tuple[int, int]:
    # Python int() on the rest of the key, as the reference does: so
    # "idnum01" is type 1 and "idnum" alone is refused.
    try:
        which = int(key[len(_IDNUM_PREFIX) :])
    except ValueError:
        raise UserError(f"Bad idnum key: {key!r}") from None
    if which not in idnum_definitions:
        raise UserError(f"Bad ID number type: {which}")
    if which in seen:
        raise UserError(f"More than one ID number supplied for ID number type {which}")
    # Knowing difference: the reference lets JSON true/false through here
    # (bool is an int in Python); copse refuses them as non-numbers.
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        raise UserError(f"Bad ID number value: {value!r}")
    if value is None or value <= 0 or which <= 0:
        raise UserError(
            f"Bad ID number: IdNumReference(idnum_value={value!r}, which_idnum={which})"
        )
    seen.add(which)
    return which, value


def parse_patient_json(
    obj: object, *, idnum_definitions: Mapping[int, str | None]
) -> ParsedPatient:
    """Check one patient object key by key, in order (policies.md §4 5a-c).

    ``idnum_definitions`` maps each defined ID type to its validation
    method; only the types matter here, because ``validate_patients``
    applies no checksum.  Raises :class:`UserError` at the first problem.
    """
    if not isinstance(obj, dict):
        raise UserError("Patient JSON is not a dict")
    if not obj:
        raise UserError("Patient JSON is empty")
    fields: dict[str, Any] = {}
    idnums: list[tuple[int, int]] = []
    seen: set[int] = set()
    finalizing: bool | None = None
    for key, value in obj.items():
        if not isinstance(key, str):
            raise UserError("Patient JSON contains absent string")
        if key in _TEXT_KEYS:
            fields[_TEXT_KEYS[key]] = _string_value(value)
        elif key == "sex":
            if not isinstance(value, str) or value not in VALID_SEXES:
                raise UserError(f"Bad sex value: {value!r}")
            fields["sex"] = value
        elif key == "dob":
            text = _string_value(value)
            try:
                fields["dob"] = parse_iso_date(text) if text else None
            except ValueError:
                raise UserError(f"Invalid DOB: {text!r}") from None
        elif key == "email":
            text = _string_value(value)
            if text and not is_valid_email(text):
                raise UserError(f"Bad e-mail address: {text!r}")
            fields["email"] = text
        elif key.startswith(_IDNUM_PREFIX):
            idnums.append(_parse_idnum(key, value, idnum_definitions, seen))
        elif key == "finalizing":
            if not isinstance(value, bool):
                raise UserError(f"Bad 'finalizing' value: {value!r}")
            finalizing = value
        else:
            raise UserError(f"Unknown JSON key: {key!r}")
    info = PatientInfo(idnums=tuple(idnums), **fields)
    return ParsedPatient(info, finalizing)


def patient_facts_from_json(
    obj: object, *, idnum_definitions: Mapping[int, str | None]
) -> PatientFacts:
    """Policy facts for one patient object; raises like :func:`parse_patient_json`."""
    return parse_patient_json(obj, idnum_definitions=idnum_definitions).info.facts()


def _record_text(value: object) -> str | None:
    # Decoded upload values may be numbers; the server stores them as text.
    return value if value is None or isinstance(value, str) else str(value)


def _superficially_valid(idnums: Iterable[tuple[object, object]]) -> list[tuple[int, int]]:
    """ID entries with an integer type and value, both >= 0 (§1.4)."""
    return [
        (which, value)
        for which, value in idnums
        if isinstance(which, int)
        and not isinstance(which, bool)
        and which >= 0
        and isinstance(value, int)
        and not isinstance(value, bool)
        and value >= 0
    ]


def _record_fields(patient: Mapping[str, object]) -> dict[str, str | None]:
    return {
        "forename": _record_text(patient.get("forename")),
        "surname": _record_text(patient.get("surname")),
        "sex": _record_text(patient.get("sex")),
        "address": _record_text(patient.get("address")),
        "email": _record_text(patient.get("email")),
        "gp": _record_text(patient.get("gp")),
        "otherdetails": _record_text(patient.get("other")),
    }


def patient_info_from_record(
    patient: Mapping[str, object], idnums: Iterable[tuple[object, object]] = ()
) -> PatientInfo:
    """A stored patient row (client column names) plus its ID rows.

    Keeps only superficially valid ID entries, in the order given, as the
    reference does for server patients.  ``dob`` may be a date, a datetime
    or ISO text (``ValueError`` if unparseable); ``""`` means no DOB.
    """
    dob = patient.get("dob")
    if isinstance(dob, datetime):
        dob = dob.date()
    elif isinstance(dob, str):
        dob = parse_iso_date(dob) if dob else None
    elif dob is not None and not isinstance(dob, date):
        raise ValueError(f"Bad DOB value: {dob!r}")
    return PatientInfo(
        dob=dob, idnums=tuple(_superficially_valid(idnums)), **_record_fields(patient)
    )


def patient_facts_from_record(
    patient: Mapping[str, object], idnums: Iterable[tuple[object, object]] = ()
) -> PatientFacts:
    """Policy facts for an uploaded patient row plus its ID rows.

    For enforcing policies at upload time.  Unlike
    :func:`patient_info_from_record` this never fails: any non-empty DOB
    value counts as present, whether or not it parses.
    """
    dob = patient.get("dob")
    fields = _record_fields(patient)
    return PatientFacts(
        dob=None if dob is None else dob if isinstance(dob, date) else str(dob),
        idnums=dict(_superficially_valid(idnums)),
        forename=fields["forename"],
        surname=fields["surname"],
        sex=fields["sex"],
        address=fields["address"],
        gp=fields["gp"],
        otherdetails=fields["otherdetails"],
        email=fields["email"],
    )


def _problems(
    info: PatientInfo,
    policy: Policy,
    finalizing: bool,
    restricted_patient: RestrictedPatient | None,
) -> list[str]:
    reasons: list[str] = []
    if not policy.satisfied_by(info.facts()):
        reasons.append("Fails finalizing ID policy" if finalizing else "Fails upload ID policy")
    if restricted_patient is not None:
        expected = restricted_patient.patient
        if expected is None:
            reasons.append(
                f"Restricted user {restricted_patient.username} "
                "does not have associated patient details"
            )
        elif info != expected:
            # The ID lists must match in order, as in the reference.
            reasons.append(f"Should be {expected}")
    return reasons


def validate_patient_list(
    data: object,
    *,
    idnum_definitions: Mapping[int, str | None],
    upload_policy: str | None,
    finalize_policy: str | None,
    restricted_patient: RestrictedPatient | None,
) -> None:
    """Accept a decoded ``patient_info`` value or raise :class:`UserError`.

    ``upload_policy`` and ``finalize_policy`` are the user's upload group's
    policy texts (an empty or ``None`` policy is never satisfied, so every
    patient then fails).  ``restricted_patient`` is given only for an
    auto-generated user.  Patients are checked in order and the first
    failing one ends the request; its reasons are joined as
    ``Invalid patient: {patient} -> {reason} // {patient} -> {reason}``.
    """
    if not isinstance(data, list):
        raise UserError("Top-level JSON is not a list")
    policies = {False: parse_policy(upload_policy), True: parse_policy(finalize_policy)}
    for obj in data:
        parsed = parse_patient_json(obj, idnum_definitions=idnum_definitions)
        if parsed.finalizing is None:
            raise UserError("Missing 'finalizing' JSON key")
        reasons = _problems(
            parsed.info, policies[parsed.finalizing], parsed.finalizing, restricted_patient
        )
        if reasons:
            raise UserError(
                "Invalid patient: "
                + " // ".join(f"{parsed.info} -> {reason}" for reason in reasons)
            )
