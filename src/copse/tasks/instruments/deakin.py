"""Deakin JB — antibody-mediated psychosis study — health review.

A research form (Deakin group, University of Manchester / Cambridge; not
published as such), so the completeness rule is the reference's as its
examples show it: every yes/no screening question answered (allergies,
vaccinations, recent and chronic infections, immune disorders, family
history, anything else about health, recreational drugs, the MRI safety
questions, other relevant things, willingness to take part in further
studies), ethnicity, handedness and education given, drug history and first
antipsychotic recorded, and each "yes" followed by its details field (which
may be brief). The condition checkboxes under a "yes" are optional, as are
per-drug frequencies (a coded frequency whose wording is the study's, shown
with the server's extra strings when installed).
"""

from __future__ import annotations

from copse.tasks.forms import Field, FormTask, Section

HANDEDNESS = {"L": "Left-handed", "R": "Right-handed"}


def _screen(
    column: str, label: str, details: str, boxes: tuple[tuple[str, str], ...] = ()
) -> tuple[Field, ...]:
    return (
        Field(column, label, need="present"),
        *(Field(c, f"{label}: {text}") for c, text in boxes),
        Field(details, f"{label}: details", need="present", when=(column, (1,))),
    )


_KINDS = (
    ("respiratory", "respiratory"),
    ("gastroenteritis", "gastroenteritis"),
    ("urinary", "urinary"),
    ("sexual", "sexually transmitted"),
    ("hepatitis", "hepatitis"),
    ("other", "other"),
)
_DRUGS = (
    ("tobacco", "Tobacco", "recdrug_tobacco_cigsperweek", "cigarettes per week"),
    ("cannabis", "Cannabis", "recdrug_cannabis_jointsperweek", "joints per week"),
    ("alcohol", "Alcohol", "recdrug_alcohol_unitsperweek", "units per week"),
    ("mdma", "MDMA (ecstasy)", None, ""),
    ("cocaine", "Cocaine", None, ""),
    ("crack", "Crack cocaine", None, ""),
    ("heroin", "Heroin", None, ""),
    ("methadone", "Methadone", None, ""),
    ("amphetamines", "Amphetamines", None, ""),
    ("benzodiazepines", "Benzodiazepines", None, ""),
    ("ketamine", "Ketamine", None, ""),
    ("legalhighs", "Legal highs", None, ""),
    ("inhalants", "Inhalants", None, ""),
    ("hallucinogens", "Hallucinogens", None, ""),
)


def _drug_fields() -> tuple[Field, ...]:
    out: list[Field] = [
        Field(
            "recreational_drug_in_last_3_months",
            "Recreational drugs in the last 3 months",
            need="present",
        )
    ]
    for key, label, amount, unit in _DRUGS:
        column = f"recdrug_{key}_frequency"
        out.append(Field(column, f"{label}: frequency", xoptions=column + "_{}"))
        if amount is not None:
            out.append(Field(amount, f"{label}: amount", unit=unit))
        out.append(Field(f"recdrug_{key}_prevheavy", f"{label}: previously heavy use"))
    out.extend(
        (
            Field(
                "recdrug_details",
                "Recreational drugs: details",
                need="present",
                when=("recreational_drug_in_last_3_months", (1,)),
            ),
            Field("recdrug_prevheavy", "Previous heavy drug use", need="present"),
            Field(
                "recdrug_prevheavy_details",
                "Previous heavy drug use: details",
                need="present",
                when=("recdrug_prevheavy", (1,)),
            ),
        )
    )
    return tuple(out)


class DeakinHealthReview(FormTask):
    tablename = "deakin_1_healthreview"
    sections = (
        Section(
            "About you",
            (
                Field("ethnicity", "Ethnicity", need="present", xoptions="ethnicity_{}"),
                Field("ethnicity_text", "Ethnicity (as text)"),
                Field("ethnicity_other_details", "Ethnicity, if other"),
                Field("handedness", "Handedness", HANDEDNESS, need="present"),
                Field("education", "Education", need="present"),
            ),
        ),
        Section(
            "Allergies, vaccinations and infections",
            (
                *_screen(
                    "allergies",
                    "Allergies",
                    "allergy_details",
                    (
                        ("allergy_asthma", "asthma"),
                        ("allergy_pollen_dust", "pollen or dust"),
                        ("allergy_dermatitis", "dermatitis"),
                        ("allergy_food", "food"),
                        ("allergy_dander", "animal dander"),
                        ("allergy_other", "other"),
                    ),
                ),
                *_screen(
                    "vaccinations_last3months",
                    "Vaccinations in the last 3 months",
                    "vaccination_details",
                ),
                *_screen(
                    "infections_last3months",
                    "Infections in the last 3 months",
                    "infection_recent_details",
                    tuple((f"infection_recent_{k}", t) for k, t in _KINDS),
                ),
                *_screen(
                    "infections_chronic",
                    "Chronic infections",
                    "infection_chronic_details",
                    tuple((f"infection_chronic_{k}", t) for k, t in _KINDS),
                ),
            ),
        ),
        Section(
            "Immune disorders and family history",
            (
                *_screen(
                    "immune_disorders",
                    "Immune disorders",
                    "immunity_details",
                    (
                        ("immunity_ms", "multiple sclerosis"),
                        ("immunity_sle", "systemic lupus erythematosus"),
                        ("immunity_arthritis", "arthritis"),
                        ("immunity_hiv", "HIV"),
                        ("immunity_graves", "Graves' disease"),
                        ("immunity_diabetes", "diabetes"),
                        ("immunity_other", "other"),
                    ),
                ),
                *_screen(
                    "family_history",
                    "Family history",
                    "familyhistory_details",
                    (
                        ("familyhistory_ms", "multiple sclerosis"),
                        ("familyhistory_sle", "systemic lupus erythematosus"),
                        ("familyhistory_arthritis", "arthritis"),
                        ("familyhistory_graves", "Graves' disease"),
                        ("familyhistory_diabetes", "diabetes"),
                        ("familyhistory_psychosis_sz", "psychosis or schizophrenia"),
                        ("familyhistory_bipolar", "bipolar disorder"),
                    ),
                ),
                *_screen(
                    "health_anything_else",
                    "Anything else about health",
                    "health_anything_else_details",
                ),
            ),
        ),
        Section(
            "Medication and drugs",
            (
                Field("drug_history", "Drug history", need="present"),
                Field(
                    "first_antipsychotic_medication",
                    "First antipsychotic medication",
                    need="present",
                ),
                *_drug_fields(),
            ),
        ),
        Section(
            "MRI safety",
            (
                Field("mri_claustrophobic", "Claustrophobic", need="present"),
                Field(
                    "mri_difficulty_lying_1_hour",
                    "Difficulty lying still for an hour",
                    need="present",
                ),
                Field("mri_nonremovable_metal", "Non-removable metal in the body", need="present"),
                Field("mri_metal_from_operations", "Metal from operations", need="present"),
                Field(
                    "mri_tattoos_nicotine_patches", "Tattoos or nicotine patches", need="present"
                ),
                Field("mri_worked_with_metal", "Has worked with metal", need="present"),
                *_screen(
                    "mri_previous_brain_scan",
                    "Previous brain scan",
                    "mri_previous_brain_scan_details",
                ),
            ),
        ),
        Section(
            "Other",
            (
                *_screen(
                    "other_relevant_things",
                    "Other relevant things",
                    "other_relevant_things_details",
                ),
                Field(
                    "willing_to_participate_in_further_studies",
                    "Willing to take part in further studies",
                    need="present",
                ),
            ),
        ),
    )
    risk_answers = {"mri_nonremovable_metal": ((1,), "non-removable metal: MRI safety check")}


TASKS = (DeakinHealthReview(),)
