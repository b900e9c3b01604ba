"""A small realistic site: identified patients with PHQ-9s, uploaded by the tablet operations."""

from __future__ import annotations

from typing import Any

from tests.sync.conftest import NHS_OK, Harness

#: Unique markers in every identifying patient field (de-identification tests).
MARKERS: dict[str, str] = {
    "forename": "MkForename7Q",
    "surname": "MkSurname7Q",
    "address": "MkAddress7Q",
    "gp": "MkGp7Q",
    "other": "MkOther7Q",
    "email": "mk.email7q@example.org",
    "uuid": "MkUuid7Q",
}
DOB = "1970-02-03"
PATIENT_FIELDS = ["id", *MARKERS, "dob", "sex", "when_last_modified", "_move_off_tablet"]
PHQ9_FIELDS = [
    "id",
    "patient_id",
    "when_created",
    "when_last_modified",
    "firstexit_is_finish",
    "when_firstexit",
    "_move_off_tablet",
    *(f"q{i}" for i in range(1, 11)),
]
IDNUM_FIELDS = [
    "id",
    "patient_id",
    "which_idnum",
    "idnum_value",
    "when_last_modified",
    "_move_off_tablet",
]
SECOND_NHS = 4010232137


def patient(pid: int, suffix: str = "") -> list[Any]:
    return [
        pid,
        *(m + suffix for m in MARKERS.values()),
        DOB,
        "F",
        "2024-01-01T10:00:00.000+00:00",
        0,
    ]


def phq9(tid: int, pid: int, day: int, answers: list[int | None]) -> list[Any]:
    created = f"2024-01-{day:02d}T10:00:00.000+00:00"
    return [tid, pid, created, created, 1, f"2024-01-{day:02d}T10:05:00.000+00:00", 0, *answers]


def upload_site(h: Harness, extra_phq9: list[list[Any]] | None = None) -> None:
    """Patient 1 (NHS_OK): two PHQ-9s (one complete); patient 2 (SECOND_NHS): one incomplete."""
    complete = [3, 2, 1, 0, 3, 2, 1, 0, 1, 2]
    incomplete = [1, None, 1, 1, None, None, None, None, None, None]
    h.onestep(
        {
            "patient": (PATIENT_FIELDS, [patient(1), patient(2, "B")]),
            "patient_idnum": (
                IDNUM_FIELDS,
                [
                    [1, 1, 1, NHS_OK, "2024-01-01T10:00:00.000+00:00", 0],
                    [2, 2, 1, SECOND_NHS, "2024-01-01T10:00:00.000+00:00", 0],
                ],
            ),
            "phq9": (
                PHQ9_FIELDS,
                [
                    phq9(1, 1, 5, complete),
                    phq9(2, 1, 20, incomplete),
                    phq9(3, 2, 10, incomplete),
                    *(extra_phq9 or []),
                ],
            ),
        }
    )
