"""Lynall M-E — IAM study — medical history and life events.

Research forms of the Inflammation in Mind (IAM) study (Lynall group,
University of Cambridge); the forms are not published, so completeness is as
the reference's examples show it.

* Medical history: every question answered; the follow-up questions only when
  the question they follow is answered yes (weeks as an inpatient after an
  admission in the last year; variability after symptoms in the last two
  years; age at first ulcer and scarring after oral or genital ulcers), and
  the "other" psychiatric history details (own and family) when ticked.
  Several answers are coded periods or counts whose wording is the study's:
  they are shown as codes, with the server's extra strings when installed.
* Life events: 14 events, each answered yes/no (``qN_main``); for an event
  that happened, its severity and frequency are required. The number of
  events reported is an extra summary (ours; the reference lists none).
"""

from __future__ import annotations

from copse.tasks.base import Summary, TaskData, TrackerSpec
from copse.tasks.forms import Field, FormTask, Section, yes

_PSYCH = (
    ("depression", "Depression"),
    ("bipolar", "Bipolar disorder"),
    ("schizophrenia", "Schizophrenia"),
    ("autistic_spectrum", "Autistic spectrum disorder"),
    ("ptsd", "Post-traumatic stress disorder"),
    ("other_anxiety", "Other anxiety disorder"),
    ("personality_disorder", "Personality disorder"),
    ("other_psych", "Other psychiatric disorder"),
)


def _history(q: int, prefix: str, who: str) -> tuple[Field, ...]:
    fields = [
        Field(f"q{q}{letter}_{prefix}_{key}", f"{who}: {label}", need="present")
        for letter, (key, label) in zip("abcdefgh", _PSYCH, strict=True)
    ]
    fields.append(
        Field(
            f"q{q}h_{prefix}_other_detail",
            f"{who}: other psychiatric disorder, details",
            need="text",
            when=(f"q{q}h_{prefix}_other_psych", (1,)),
        )
    )
    return tuple(fields)


def _code(column: str, label: str) -> Field:
    return Field(column, label, need="present", xoptions=column + "_{}")


class LynallIamMedical(FormTask):
    tablename = "lynall_1_iam_medical"
    sections = (
        Section(
            "Symptoms",
            (
                _code("q1_age_first_inflammatory_sx", "1. Age at first inflammatory symptoms"),
                _code("q2_when_psych_sx_started", "2. When psychiatric symptoms started"),
                _code("q3_worst_symptom_last_month", "3. Worst symptom in the last month"),
                _code("q4a_symptom_timing", "4a. Timing of psychiatric and physical symptoms"),
                Field(
                    "q4b_days_psych_before_phys",
                    "4b. Psychiatric symptoms before physical ones by",
                    xoptions="q4b_days_psych_before_phys_{}",
                ),
                Field(
                    "q4c_days_psych_after_phys",
                    "4c. Psychiatric symptoms after physical ones by",
                    xoptions="q4c_days_psych_after_phys_{}",
                ),
                Field("q5_antibiotics", "5. Antibiotics taken", need="present"),
            ),
        ),
        Section(
            "Course",
            (
                Field("q6a_inpatient_last_y", "6a. Inpatient in the last year", need="present"),
                Field(
                    "q6b_inpatient_weeks",
                    "6b. Weeks as an inpatient",
                    need="present",
                    when=("q6a_inpatient_last_y", (1,)),
                    xoptions="q6b_inpatient_weeks_{}",
                ),
                Field("q7a_sx_last_2y", "7a. Symptoms in the last two years", need="present"),
                Field(
                    "q7b_variability",
                    "7b. Variability of symptoms",
                    need="present",
                    when=("q7a_sx_last_2y", (1,)),
                    xoptions="q7b_variability_{}",
                ),
                _code("q8_smoking", "8. Smoking"),
                Field("q9_pregnant", "9. Pregnant", need="present"),
                Field(
                    "q10a_effective_rx_physical",
                    "10a. Effective treatment: physical",
                    need="present",
                ),
                Field(
                    "q10b_effective_rx_psych",
                    "10b. Effective treatment: psychiatric",
                    need="present",
                ),
            ),
        ),
        Section("Psychiatric history", _history(11, "ph", "11. Own history")),
        Section("Family psychiatric history", _history(12, "fh", "12. Family history")),
        Section(
            "Behçet's disease and ulcers",
            (
                Field("q13a_behcet", "13a. Behçet's disease", need="present"),
                Field("q13b_oral_ulcers", "13b. Oral ulcers", need="present"),
                Field(
                    "q13c_oral_age_first",
                    "13c. Age at first oral ulcer",
                    need="present",
                    when=("q13b_oral_ulcers", (1,)),
                    xoptions="q13c_oral_age_first_{}",
                ),
                Field(
                    "q13d_oral_scarring",
                    "13d. Oral scarring",
                    need="present",
                    when=("q13b_oral_ulcers", (1,)),
                ),
                Field("q13e_genital_ulcers", "13e. Genital ulcers", need="present"),
                Field(
                    "q13f_genital_age_first",
                    "13f. Age at first genital ulcer",
                    need="present",
                    when=("q13e_genital_ulcers", (1,)),
                    xoptions="q13f_genital_age_first_{}",
                ),
                Field(
                    "q13g_genital_scarring",
                    "13g. Genital scarring",
                    need="present",
                    when=("q13e_genital_ulcers", (1,)),
                ),
            ),
        ),
    )


N_EVENTS = 14


def _event(n: int) -> tuple[Field, ...]:
    return (
        Field(f"q{n}_main", f"Event {n}: happened", need="present"),
        Field(
            f"q{n}_severity",
            f"Event {n}: severity",
            need="present",
            when=(f"q{n}_main", (1,)),
            xoptions=f"q{n}_severity_{{}}",
        ),
        Field(
            f"q{n}_frequency",
            f"Event {n}: frequency",
            need="present",
            when=(f"q{n}_main", (1,)),
            xoptions=f"q{n}_frequency_{{}}",
        ),
    )


class LynallIamLife(FormTask):
    tablename = "lynall_iam_life"
    sections = tuple(Section(f"Life event {n}", _event(n)) for n in range(1, N_EVENTS + 1))
    trackers = (TrackerSpec("n_events", "Life events reported", 0, N_EVENTS),)

    def n_events(self, task: TaskData) -> int:
        return sum(1 for n in range(1, N_EVENTS + 1) if yes(task, f"q{n}_main"))

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary(
                "n_events",
                self.n_events(task),
                "Number of life events reported (not a reference summary)",
                N_EVENTS,
            )
        ]


TASKS = (LynallIamMedical(), LynallIamLife())
