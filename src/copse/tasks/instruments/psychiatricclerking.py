"""Psychiatric clerking: the standard headings of a psychiatric admission note.

Every heading is free text and any of them may legitimately be left empty
(a clerking is written to the situation), so no heading is required: the
clerking is complete once anything has been written under any heading (the
reference calls every clerking complete; all its examples have some text,
and a clerking with nothing written records nothing). The text is shown
exactly as written, under the usual headings: history, mental state
examination, physical examination, then assessment and plan. A recorded
safety alert is raised as a risk flag so that it reaches the task list and
patient page, not only the note itself.
"""

from __future__ import annotations

from copse.tasks.base import RiskFlag, TaskData
from copse.tasks.forms import Field, FormTask, Section
from copse.tasks.values import is_nonempty_text


def _fields(*pairs: tuple[str, str]) -> tuple[Field, ...]:
    return tuple(Field(column, label) for column, label in pairs)


class PsychiatricClerking(FormTask):
    tablename = "psychiatricclerking"
    sections = (
        Section(
            "Contact",
            _fields(
                ("location", "Location"),
                ("contact_type", "Type of contact"),
                ("reason_for_contact", "Reason for contact"),
            ),
        ),
        Section(
            "History",
            _fields(
                ("presenting_issue", "Presenting issue"),
                ("systems_review", "Systems review"),
                ("collateral_history", "Collateral history"),
                ("diagnoses_psychiatric", "Psychiatric diagnoses"),
                ("diagnoses_medical", "Medical diagnoses"),
                ("operations_procedures", "Operations and procedures"),
                ("allergies_adverse_reactions", "Allergies and adverse reactions"),
                ("medications", "Medications"),
                ("recreational_drug_use", "Recreational drug use"),
                ("family_history", "Family history"),
                ("developmental_history", "Developmental history"),
                ("personal_history", "Personal history"),
                ("premorbid_personality", "Premorbid personality"),
                ("forensic_history", "Forensic history"),
                ("current_social_situation", "Current social situation"),
            ),
        ),
        Section(
            "Mental state examination",
            _fields(
                ("mse_appearance_behaviour", "Appearance and behaviour"),
                ("mse_speech", "Speech"),
                ("mse_mood_subjective", "Mood (subjective)"),
                ("mse_mood_objective", "Mood (objective)"),
                ("mse_thought_form", "Thought form"),
                ("mse_thought_content", "Thought content"),
                ("mse_perception", "Perception"),
                ("mse_cognition", "Cognition"),
                ("mse_insight", "Insight"),
            ),
        ),
        Section(
            "Physical examination",
            _fields(
                ("physical_examination_general", "General"),
                ("physical_examination_cardiovascular", "Cardiovascular"),
                ("physical_examination_respiratory", "Respiratory"),
                ("physical_examination_abdominal", "Abdominal"),
                ("physical_examination_neurological", "Neurological"),
            ),
        ),
        Section(
            "Assessment and plan",
            _fields(
                ("assessment_scales", "Assessment scales"),
                ("investigations_results", "Investigations and results"),
                ("safety_alerts", "Safety alerts"),
                ("risk_assessment", "Risk assessment"),
                ("relevant_legal_information", "Relevant legal information"),
                ("current_problems", "Current problems"),
                ("patient_carer_concerns", "Patient's and carers' concerns"),
                ("impression", "Impression"),
                ("management_plan", "Management plan"),
                ("information_given", "Information given"),
            ),
        ),
    )
    headline = ("reason_for_contact", "impression")

    def is_complete(self, task: TaskData) -> bool | None:
        return any(is_nonempty_text(task.get(f.column)) for f in self.fields())

    def risk_flags(self, task: TaskData) -> list[RiskFlag]:
        if is_nonempty_text(task.get("safety_alerts")):
            return [RiskFlag("safety_alerts", "safety alert recorded")]
        return []


TASKS = (PsychiatricClerking(),)
