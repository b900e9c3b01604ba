"""Elixhauser Comorbidity Index (clinician-rated).

Source: Elixhauser A, Steiner C, Harris DR, Coffey RM (1998) "Comorbidity
measures for use with administrative data", Med Care 36:8–27. The measure is
a list of comorbidities, each present or absent; the index used here is the
unweighted count of those present. This form has 31 conditions (the original
30 with hypertension split into uncomplicated and complicated, as in later
coding algorithms, e.g. Quan et al. 2005 Med Care 43:1130), so the total is
out of 31. Complete when every condition has been rated present or absent;
a value other than 0/1 is not a rating, makes the form incomplete and adds
nothing to the total.
"""

from __future__ import annotations

from copse.tasks.base import Summary, TaskData, TrackerSpec
from copse.tasks.scales import ItemScale

CONDITIONS: dict[str, str] = {
    "congestive_heart_failure": "Congestive heart failure",
    "cardiac_arrhythmias": "Cardiac arrhythmias",
    "valvular_disease": "Valvular disease",
    "pulmonary_circulation_disorders": "Pulmonary circulation disorders",
    "peripheral_vascular_disorders": "Peripheral vascular disorders",
    "hypertension_uncomplicated": "Hypertension, uncomplicated",
    "hypertension_complicated": "Hypertension, complicated",
    "paralysis": "Paralysis",
    "other_neurological_disorders": "Other neurological disorders",
    "chronic_pulmonary_disease": "Chronic pulmonary disease",
    "diabetes_uncomplicated": "Diabetes, uncomplicated",
    "diabetes_complicated": "Diabetes, complicated",
    "hypothyroidism": "Hypothyroidism",
    "renal_failure": "Renal failure",
    "liver_disease": "Liver disease",
    "peptic_ulcer_disease_exc_bleeding": "Peptic ulcer disease, excluding bleeding",
    "aids_hiv": "AIDS/HIV",
    "lymphoma": "Lymphoma",
    "metastatic_cancer": "Metastatic cancer",
    "solid_tumor_without_metastasis": "Solid tumour without metastasis",
    "rheumatoid_arthritis_collagen_vascular_diseases": (
        "Rheumatoid arthritis / collagen vascular diseases"
    ),
    "coagulopathy": "Coagulopathy",
    "obesity": "Obesity",
    "weight_loss": "Weight loss",
    "fluid_electrolyte_disorders": "Fluid and electrolyte disorders",
    "blood_loss_anemia": "Blood loss anaemia",
    "deficiency_anemia": "Deficiency anaemia",
    "alcohol_abuse": "Alcohol abuse",
    "drug_abuse": "Drug abuse",
    "psychoses": "Psychoses",
    "depression": "Depression",
}
N_CONDITIONS = len(CONDITIONS)


class ElixhauserCI(ItemScale):
    tablename = "elixhauserci"
    items = tuple(CONDITIONS)
    permitted = (0, 1)
    item_labels = CONDITIONS
    option_labels = {0: "absent", 1: "present"}
    questions_title = "Comorbidities"
    trackers = (TrackerSpec("total", "Elixhauser comorbidity count", 0, N_CONDITIONS),)

    def summaries(self, task: TaskData) -> list[Summary]:
        return [Summary("total", self.total(task), "Number of comorbidities present", N_CONDITIONS)]

    def clinical_summary(self, task: TaskData) -> str:
        present = [CONDITIONS[c] for c in self.items if self.value(task, c) == 1]
        line = f"{self.shortname}: {len(present)}/{N_CONDITIONS} comorbidities"
        if present:
            line += " (" + "; ".join(present) + ")"
        if not self.is_complete(task):
            line += ", incomplete"
        return line


TASKS = (ElixhauserCI(),)
