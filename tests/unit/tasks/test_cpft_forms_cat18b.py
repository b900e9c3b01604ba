"""CPFT forms, contact log, psychiatric clerking, demo questionnaire."""

from __future__ import annotations

from typing import Any

import pytest
from task_test_helpers import summary_map, td

from copse.tasks.base import TaskData
from copse.tasks.catalogue import get_task

REFERRAL = {
    "lps_division": "Addenbrooke's",
    "referral_priority": "Urgent",
    "referral_method": "Phone",
    "referrer_name": "Dr A",
    "referrer_contact_details": "bleep 123",
    "referring_consultant": "Dr B",
    "patient_location": "Ward 5",
    "referral_reason": "Low mood after surgery",
}


@pytest.mark.parametrize("blank", sorted(REFERRAL))
def test_referral_needs_each_core_detail(blank: str) -> None:
    task = get_task("cpft_lps_referral")
    assert task.is_complete(td(REFERRAL)) is True
    assert task.is_complete(td({**REFERRAL, blank: "  "})) is False
    assert task.is_complete(td({**REFERRAL, blank: None})) is False


def test_referral_codes_shown_as_text_and_self_harm_flagged() -> None:
    task = get_task("cpft_lps_referral")
    data = td({**REFERRAL, "marital_status_code": "W", "admission_reason_overdose": 1})
    html = str(task.render_html(data))
    assert "Widowed / surviving civil partner" in html
    assert [f.column for f in task.risk_flags(data)] == ["admission_reason_overdose"]
    assert "admitted after an overdose" in task.clinical_summary(data)
    assert task.is_complete(td({**REFERRAL, "marital_status_code": "Q"})) is False
    assert task.is_complete(td({**REFERRAL, "interpreter_required": 2})) is False


@pytest.mark.parametrize(
    ("row", "complete"),
    [
        ({"discharge_date": "2024-01-02", "discharge_reason_code": "Recovered"}, True),
        ({"discharge_date": "2024-01-02", "discharge_reason_code": ""}, False),
        ({"discharge_reason_code": "Recovered"}, False),
    ],
)
def test_discharge_completeness(row: dict[str, Any], complete: bool) -> None:
    assert get_task("cpft_lps_discharge").is_complete(td(row)) is complete


def test_discharge_flags_suicidal_ideas() -> None:
    task = get_task("cpft_lps_discharge")
    flags = task.risk_flags(td(referral_reason_suicidal_ideas=1, referral_reason_low_mood=1))
    assert [f.column for f in flags] == ["referral_reason_suicidal_ideas"]
    assert task.risk_flags(td(referral_reason_suicidal_ideas=0)) == []


def test_reset_response_clock() -> None:
    task = get_task("cpft_lps_resetresponseclock")
    assert task.is_complete(td(reset_start_time_to="2024-01-02T10:00", reason="Re-referred"))
    assert not task.is_complete(td(reset_start_time_to="2024-01-02T10:00", reason=""))
    assert not task.is_complete(td(reason="Re-referred"))


def test_contactlog_completeness_and_duration() -> None:
    task = get_task("contactlog")
    row = {
        "start": "2024-01-02T10:00:00+00:00",
        "end": "2024-01-02T10:45:00+00:00",
        "patient_contact": 1,
        "staff_liaison": 0,
        "other_liaison": 0,
    }
    assert task.is_complete(td(row)) is True
    assert summary_map(task.summaries(td(row))) == {"duration_minutes": 45.0}
    assert task.is_complete(td({**row, "end": None})) is False
    assert task.is_complete(td({**row, "other_liaison": 2})) is False
    backwards = {**row, "end": "2024-01-02T09:00:00+00:00"}
    assert summary_map(task.summaries(td(backwards))) == {"duration_minutes": None}
    assert "Contact with the patient" in str(task.render_html(td(row)))


def test_covid_medical_option_text_from_extra_strings() -> None:
    task = get_task("cpft_covid_medical")
    assert task.is_complete(td(how_and_when_symptoms=2)) is True
    assert task.is_complete(td(how_and_when_symptoms=4)) is False
    assert task.is_complete(td()) is False
    data = TaskData(
        row={"how_and_when_symptoms": 2},
        strings={"how_and_when_symptoms_option2": "Clinic wording"},
    )
    assert "Clinic wording" in str(task.render_html(data))


@pytest.mark.parametrize(
    ("code", "complete"), [("R", True), ("Y", True), ("G", True), ("X", False), (None, False)]
)
def test_research_preferences(code: str | None, complete: bool) -> None:
    task = get_task("cpft_research_preferences")
    assert task.is_complete(td(contact_preference=code, contact_by_email=1)) is complete


def test_research_preferences_text() -> None:
    task = get_task("cpft_research_preferences")
    line = task.clinical_summary(td(contact_preference="Y"))
    assert "through my clinical team" in line


def test_clerking_keeps_text_and_flags_safety_alerts() -> None:
    task = get_task("psychiatricclerking")
    data = td(presenting_issue="Low mood\nfor 3 weeks", safety_alerts="Violence to staff")
    assert task.is_complete(data) is True
    assert task.is_complete(td(presenting_issue="   ")) is False
    html = str(task.render_html(data))
    assert "Low mood<br>for 3 weeks" in html
    assert [f.column for f in task.risk_flags(data)] == ["safety_alerts"]
    assert task.risk_flags(td(safety_alerts="")) == []


def test_demo_shows_pictures() -> None:
    from copse.tasks.base import BlobInfo

    task = get_task("demoquestionnaire")
    data = TaskData(
        row={"photo_blobid": 7, "mcq1": 2},
        blobs={7: BlobInfo(mimetype="image/png", filename="x.png", url="/blob/7")},
    )
    assert task.is_complete(data) is True
    assert '<img class="copse-blob" src="/blob/7"' in str(task.render_html(data))
