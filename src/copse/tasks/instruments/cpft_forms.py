"""Small CPFT forms: post-COVID-19 clinic medical questionnaire; research preferences.

Local forms of Cambridgeshire and Peterborough NHS Foundation Trust, without
publications; completeness as the reference's examples show it:

* ``cpft_covid_medical``: the one question (how and when the symptoms began)
  answered with one of its options (0–3). The options' wording is the
  clinic's: it comes from the server's extra strings
  (``how_and_when_symptoms_option<N>``), neutral labels otherwise.
* ``cpft_research_preferences``: the traffic-light contact preference given
  (R = do not contact me about research, Y = contact me through my clinical
  team, G = researchers may contact me directly). Whether e-mail may be used
  and whether the patient opts out of research use of their records are
  optional.
"""

from __future__ import annotations

from copse.tasks.forms import Field, FormTask, Section

SYMPTOM_ONSET_OPTIONS = {n: f"Option {n}" for n in range(4)}
CONTACT_PREFERENCE = {
    "R": "Red: do not contact me about research",
    "Y": "Yellow: contact me about research through my clinical team",
    "G": "Green: researchers may contact me directly",
}


class CpftCovidMedical(FormTask):
    tablename = "cpft_covid_medical"
    sections = (
        Section(
            "Symptoms",
            (
                Field(
                    "how_and_when_symptoms",
                    "How and when the symptoms began",
                    SYMPTOM_ONSET_OPTIONS,
                    need="present",
                    xoptions="how_and_when_symptoms_option{}",
                ),
            ),
        ),
    )
    headline = ("how_and_when_symptoms",)


class CpftResearchPreferences(FormTask):
    tablename = "cpft_research_preferences"
    sections = (
        Section(
            "Research preferences",
            (
                Field(
                    "contact_preference",
                    "Contact about research",
                    CONTACT_PREFERENCE,
                    need="present",
                ),
                Field("contact_by_email", "May be contacted by e-mail"),
                Field("research_opt_out", "Opts out of research use of their records"),
            ),
        ),
    )
    headline = ("contact_preference",)


TASKS = (CpftCovidMedical(), CpftResearchPreferences())
