"""CPFT Liaison Psychiatry Service (LPS) forms: referral, discharge, response clock.

Local service forms of Cambridgeshire and Peterborough NHS Foundation Trust;
there is no publication, so the completeness rules are the reference's as its
examples (task_examples.json) show them:

* referral: the service division, priority, method, referrer's name and
  contact details, referring consultant, the patient's location and the
  reason for referral are given (non-blank text);
* discharge: a discharge date and a discharge reason are given;
* reset response clock: the new start time and a reason are given.

Coded answers (NHS Data Dictionary marital status and ethnic category codes)
are shown as their meanings. Referral for overdose or self-harm, and a
referral reason of suicidal ideas, are raised as risk flags.
"""

from __future__ import annotations

from copse.tasks.forms import Field, FormTask, Section

#: NHS Data Dictionary "person marital status" codes.
MARITAL_STATUS = {
    "S": "Single",
    "M": "Married / civil partner",
    "D": "Divorced / civil partnership dissolved",
    "W": "Widowed / surviving civil partner",
    "P": "Separated",
    "N": "Not disclosed",
    "8": "Not known",
}
#: NHS Data Dictionary "ethnic category" codes.
ETHNIC_CATEGORY = {
    "A": "White: British",
    "B": "White: Irish",
    "C": "White: any other White background",
    "D": "Mixed: White and Black Caribbean",
    "E": "Mixed: White and Black African",
    "F": "Mixed: White and Asian",
    "G": "Mixed: any other mixed background",
    "H": "Asian or Asian British: Indian",
    "J": "Asian or Asian British: Pakistani",
    "K": "Asian or Asian British: Bangladeshi",
    "L": "Asian or Asian British: any other Asian background",
    "M": "Black or Black British: Caribbean",
    "N": "Black or Black British: African",
    "P": "Black or Black British: any other Black background",
    "R": "Other ethnic groups: Chinese",
    "S": "Other ethnic groups: any other ethnic group",
    "Z": "Not stated",
    "99": "Not known",
}

_ADMISSION_REASONS = (
    ("overdose", "Overdose"),
    ("self_harm_not_overdose", "Self-harm other than overdose"),
    ("confusion", "Confusion"),
    ("trauma", "Trauma"),
    ("falls", "Falls"),
    ("infection", "Infection"),
    ("poor_adherence", "Poor adherence to treatment"),
    ("other", "Other"),
)


class CpftLpsReferral(FormTask):
    tablename = "cpft_lps_referral"
    sections = (
        Section(
            "Referral",
            (
                Field("referral_date_time", "Date and time of referral"),
                Field("lps_division", "Liaison psychiatry division", need="text"),
                Field("referral_priority", "Referral priority", need="text"),
                Field("referral_method", "Referral method", need="text"),
                Field("referrer_name", "Referrer's name", need="text"),
                Field("referrer_contact_details", "Referrer's contact details", need="text"),
                Field("referring_consultant", "Referring consultant", need="text"),
                Field("referring_specialty", "Referring specialty"),
                Field("referring_specialty_other", "Referring specialty, if other"),
            ),
        ),
        Section(
            "Patient",
            (
                Field("patient_location", "Patient's location", need="text"),
                Field("admission_date", "Date of admission"),
                Field("estimated_discharge_date", "Estimated discharge date"),
                Field("patient_aware_of_referral", "Patient aware of the referral"),
                Field("interpreter_required", "Interpreter required"),
                Field("sensory_impairment", "Sensory impairment"),
                Field("marital_status_code", "Marital status", MARITAL_STATUS),
                Field("ethnic_category_code", "Ethnic category", ETHNIC_CATEGORY),
            ),
        ),
        Section(
            "Reason for admission",
            tuple(
                Field(f"admission_reason_{key}", f"Admitted for: {label}")
                for key, label in _ADMISSION_REASONS
            ),
        ),
        Section(
            "Other services and reason for referral",
            (
                Field("existing_psychiatric_teams", "Existing psychiatric teams involved"),
                Field("care_coordinator", "Care coordinator"),
                Field("other_contact_details", "Other contact details"),
                Field("referral_reason", "Reason for referral", need="text"),
            ),
        ),
    )
    risk_answers = {
        "admission_reason_overdose": ((1,), "admitted after an overdose"),
        "admission_reason_self_harm_not_overdose": ((1,), "admitted after self-harm"),
    }
    headline = ("referral_priority", "patient_location", "referral_reason")


_REFERRAL_REASONS = (
    ("self_harm_overdose", "Self-harm: overdose"),
    ("self_harm_other", "Self-harm: other"),
    ("suicidal_ideas", "Suicidal ideas"),
    ("behavioural_disturbance", "Behavioural disturbance"),
    ("low_mood", "Low mood"),
    ("elevated_mood", "Elevated mood"),
    ("psychosis", "Psychosis"),
    ("pre_transplant", "Pre-transplant assessment"),
    ("post_transplant", "Post-transplant"),
    ("delirium", "Delirium"),
    ("anxiety", "Anxiety"),
    ("somatoform_mus", "Somatoform disorder / medically unexplained symptoms"),
    ("motivation_adherence", "Motivation or adherence"),
    ("capacity", "Capacity"),
    ("eating_disorder", "Eating disorder"),
    ("safeguarding", "Safeguarding"),
    ("discharge_placement", "Discharge placement"),
    ("cognitive_problem", "Cognitive problem"),
    ("substance_alcohol", "Substance misuse: alcohol"),
    ("substance_other", "Substance misuse: other"),
    ("other", "Other"),
)
_MANAGEMENT = (
    ("assessment_diagnostic", "Diagnostic assessment"),
    ("medication", "Medication"),
    ("specialling_behavioural_disturbance", "Specialling for behavioural disturbance"),
    ("supportive_patient", "Supportive work with the patient"),
    ("supportive_carers", "Supportive work with carers"),
    ("supportive_staff", "Supportive work with staff"),
    ("nursing_management", "Nursing management"),
    ("therapy_cbt", "Therapy: CBT"),
    ("therapy_cat", "Therapy: CAT"),
    ("therapy_other", "Therapy: other"),
    ("treatment_adherence", "Treatment adherence"),
    ("capacity", "Capacity assessment"),
    ("education_patient", "Education of the patient"),
    ("education_carers", "Education of carers"),
    ("education_staff", "Education of staff"),
    ("accommodation_placement", "Accommodation or placement"),
    ("signposting_external_referral", "Signposting / external referral"),
    ("mha_s136", "Mental Health Act section 136"),
    ("mha_s5_2", "Mental Health Act section 5(2)"),
    ("mha_s2", "Mental Health Act section 2"),
    ("mha_s3", "Mental Health Act section 3"),
    ("complex_case_conference", "Complex case conference"),
    ("other", "Other"),
)


def _diagnoses() -> tuple[Field, ...]:
    out: list[Field] = [
        Field("diagnosis_no_active_mental_health_problem", "No active mental health problem")
    ]
    for n in range(1, 5):
        out.append(Field(f"diagnosis_psych_{n}_icd10code", f"Psychiatric diagnosis {n}: ICD-10"))
        out.append(Field(f"diagnosis_psych_{n}_description", f"Psychiatric diagnosis {n}"))
    out.extend(Field(f"diagnosis_medical_{n}", f"Medical diagnosis {n}") for n in range(1, 5))
    return tuple(out)


class CpftLpsDischarge(FormTask):
    tablename = "cpft_lps_discharge"
    sections = (
        Section(
            "Discharge",
            (
                Field("discharge_date", "Discharge date", need="present"),
                Field("discharge_reason_code", "Reason for discharge", need="text"),
                Field("leaflet_or_discharge_card_given", "Leaflet or discharge card given"),
                Field("frequent_attender", "Frequent attender"),
                Field("patient_wanted_copy_of_letter", "Patient wanted a copy of the letter"),
                Field("gaf_at_first_assessment", "GAF score at first assessment"),
                Field("gaf_at_discharge", "GAF score at discharge"),
            ),
        ),
        Section(
            "Reasons for referral",
            (
                *(
                    Field(f"referral_reason_{key}", f"Referred for: {label}")
                    for key, label in _REFERRAL_REASONS
                ),
                Field("referral_reason_transplant_organ", "Transplant organ"),
                Field("referral_reason_other_detail", "Other reason for referral: details"),
            ),
        ),
        Section("Diagnoses", _diagnoses()),
        Section(
            "Management",
            (
                *(Field(f"management_{key}", label) for key, label in _MANAGEMENT),
                Field("management_other_detail", "Other management: details"),
            ),
        ),
        Section(
            "Outcome",
            (
                Field("outcome", "Outcome"),
                Field("outcome_hospital_transfer_detail", "Hospital transfer: details"),
                Field("outcome_other_detail", "Other outcome: details"),
            ),
        ),
    )
    risk_answers = {
        "referral_reason_self_harm_overdose": ((1,), "referred for an overdose"),
        "referral_reason_self_harm_other": ((1,), "referred for self-harm"),
        "referral_reason_suicidal_ideas": ((1,), "referred for suicidal ideas"),
    }
    headline = ("discharge_date", "discharge_reason_code", "outcome")


class CpftLpsResetResponseClock(FormTask):
    tablename = "cpft_lps_resetresponseclock"
    sections = (
        Section(
            "Reset of the response clock",
            (
                Field(
                    "reset_start_time_to", "New start time of the response clock", need="present"
                ),
                Field("reason", "Reason for the reset", need="text"),
            ),
        ),
    )
    headline = ("reset_start_time_to", "reason")


TASKS = (CpftLpsReferral(), CpftLpsDischarge(), CpftLpsResetResponseClock())
