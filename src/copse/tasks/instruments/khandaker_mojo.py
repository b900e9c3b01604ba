"""Khandaker GM — MOJO study — medical questionnaire and sociodemographics.

Research forms of the Khandaker group (University of Cambridge); the forms
are not published, so the completeness rules are those the reference's
examples show:

* medical: every question answered (diagnosis and its date, physical
  health, smoking, alcohol, personal and family psychiatric history), and the
  details given when "other mental illness", "hospitalised in the last year"
  or "other mental illness in the family" is answered yes;
* sociodemographics: each of the seven coded questions answered (gender,
  ethnicity, household, relationship, education, employment,
  accommodation); the free-text "other" answers are optional.

The wording of the coded options is the study's: it comes from the server's
extra strings (``<column>_<code>``); without them neutral labels are shown.
Weekly alcohol units are charted-worthy but not a reference summary, so they
are reported as an extra summary with a tracker (UK low-risk guideline:
no more than 14 units a week, UK Chief Medical Officers 2016).
"""

from __future__ import annotations

from copse.tasks.base import Cutoff, Summary, TaskData, TrackerSpec
from copse.tasks.forms import Field, FormTask, Section
from copse.tasks.values import as_float


def _neutral(n: int) -> dict[int, str]:
    return {code: f"Option {code}" for code in range(n)}


SMOKING = {0: "Never smoked", 1: "Ex-smoker", 2: "Current smoker"}
_CONDITIONS = (
    ("depression", "Depression"),
    ("bipolar_disorder", "Bipolar disorder"),
    ("schizophrenia", "Schizophrenia"),
    ("autism", "Autism"),
    ("ptsd", "Post-traumatic stress disorder"),
    ("anxiety", "Anxiety"),
    ("personality_disorder", "Personality disorder"),
    ("intellectual_disability", "Intellectual disability"),
    ("other_mental_illness", "Other mental illness"),
)


class KhandakerMojoMedical(FormTask):
    tablename = "khandaker_mojo_medical"
    sections = (
        Section(
            "Diagnosis",
            (
                Field(
                    "diagnosis", "Diagnosis", _neutral(3), need="present", xoptions="diagnosis_{}"
                ),
                Field("diagnosis_date", "Date of diagnosis", need="present"),
                Field(
                    "diagnosis_date_approximate", "Date of diagnosis is approximate", need="present"
                ),
            ),
        ),
        Section(
            "Physical health",
            (
                Field("has_fibromyalgia", "Has fibromyalgia", need="present"),
                Field("is_pregnant", "Is pregnant", need="present"),
                Field("has_infection_past_month", "Infection in the past month", need="present"),
                Field(
                    "had_infection_two_months_preceding",
                    "Infection in the two months before that",
                    need="present",
                ),
                Field(
                    "has_alcohol_substance_dependence",
                    "Alcohol or substance dependence",
                    need="present",
                ),
                Field(
                    "smoking_status",
                    "Smoking status",
                    SMOKING,
                    need="present",
                    xoptions="smoking_status_{}",
                ),
                Field(
                    "alcohol_units_per_week",
                    "Alcohol",
                    need="present",
                    unit="units per week",
                ),
            ),
        ),
        Section(
            "Psychiatric history",
            (
                *(Field(key, label, need="present") for key, label in _CONDITIONS),
                Field(
                    "other_mental_illness_details",
                    "Other mental illness: details",
                    need="text",
                    when=("other_mental_illness", (1,)),
                ),
                Field("hospitalised_in_last_year", "Hospitalised in the last year", need="present"),
                Field(
                    "hospitalisation_details",
                    "Hospitalisation: details",
                    need="text",
                    when=("hospitalised_in_last_year", (1,)),
                ),
            ),
        ),
        Section(
            "Family history",
            (
                *(
                    Field(f"family_{key}", f"In the family: {label}", need="present")
                    for key, label in _CONDITIONS
                ),
                Field(
                    "family_other_mental_illness_details",
                    "Other mental illness in the family: details",
                    need="text",
                    when=("family_other_mental_illness", (1,)),
                ),
            ),
        ),
    )
    headline = ("diagnosis", "smoking_status")
    trackers = (
        TrackerSpec(
            "alcohol_units_weekly",
            "Alcohol (units per week)",
            0,
            100,
            (Cutoff(14, "above UK low-risk guideline"),),
        ),
    )

    def summaries(self, task: TaskData) -> list[Summary]:
        units = as_float(task.get("alcohol_units_per_week"))
        return [
            Summary(
                "alcohol_units_weekly",
                units if units is not None and units >= 0 else None,
                "Alcohol units per week as reported; not a reference summary",
                kind="float",
            )
        ]


_SOCIO = (
    ("gender", "Gender", 3, "other_gender", "Gender, if other"),
    ("ethnicity", "Ethnicity", 10, "other_ethnicity", "Ethnicity, if other"),
    ("with_whom_live", "Lives with", 6, "other_with_whom_live", "Lives with, if other"),
    ("relationship_status", "Relationship status", 5, None, ""),
    ("education", "Highest education", 5, None, ""),
    ("employment", "Employment", 8, "other_employment", "Employment, if other"),
    ("accommodation", "Accommodation", 7, "other_accommodation", "Accommodation, if other"),
)


def _socio_fields() -> tuple[Field, ...]:
    out: list[Field] = []
    for column, label, n, other, other_label in _SOCIO:
        out.append(Field(column, label, _neutral(n), need="present", xoptions=column + "_{}"))
        if other is not None:
            out.append(Field(other, other_label))
    return tuple(out)


class KhandakerMojoSociodemographics(FormTask):
    tablename = "khandaker_mojo_sociodemographics"
    sections = (Section("Sociodemographics", _socio_fields()),)
    headline = ("employment", "accommodation")


TASKS = (KhandakerMojoMedical(), KhandakerMojoSociodemographics())
