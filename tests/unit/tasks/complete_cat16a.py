"""One complete instance of each task of branch cat16a, for test_task_rendering."""

from __future__ import annotations

from typing import Any

from task_test_helpers import items

from copse.tasks.base import BlobInfo

CARER = {"respondent_name": "A. Carer", "respondent_relationship": "Daughter"}

COMPLETE: dict[str, tuple[dict[str, Any], dict[str, list[dict[str, Any]]], dict[int, BlobInfo]]] = {
    "aims": ({**items("q", 1, 10, 1), "q11": 0, "q12": 1}, {}, {}),
    "bdi": ({**items("q", 1, 21, 1), "bdi_scale": "BDI-II"}, {}, {}),
    "bprse": (items("q", 1, 24, 2), {}, {}),
    "badls": ({**items("q", 1, 20, "b"), **CARER}, {}, {}),
    "basdai": (items("q", 1, 6, 5.0), {}, {}),
    "asdas": ({**items("q", 1, 4, 5), "q5": 10.0, "q6": 20.0}, {}, {}),
}
COMPLETE.update(
    {
        "aq": (items("q", 1, 50, 1), {}, {}),
        "cgi_i": ({"q": 2}, {}, {}),
        "cgisch": ({**items("severity", 1, 5, 4), **items("change", 1, 5, 9)}, {}, {}),
        "chit": (items("q", 1, 15, 2), {}, {}),
        "cia": (items("q", 1, 16, 1), {}, {}),
        "apeqpt": (
            {
                "q_datetime": "2024-05-01T10:00:00.000+01:00",
                "q1_choice": 1,
                "q2_choice": 1,
                "q3_choice": 2,
                "q1_satisfaction": 3,
                "q2_satisfaction": "Helpful",
            },  # fmt: skip
            {},
            {},
        ),
        "apeq_cpft_perinatal": (
            {**items("q", 1, 6, 2), "ff_rating": 5, "ff_why": "Kind staff", "comments": "None"},
            {},
            {},
        ),
    }
)
COMPLETE.update(
    {
        "cesd": (items("q", 1, 20, 1), {}, {}),
        "cesdr": (items("q", 1, 20, 1), {}, {}),
        "ciwa": (
            {**items("q", 1, 10, 1), "t": 37.2, "hr": 90, "sbp": 130, "dbp": 85, "rr": 16},
            {},
            {},
        ),
        "cope_brief": ({**items("q", 1, 28, 2), "completed_by_patient": 1}, {}, {}),
    }
)
COMPLETE.update(
    {
        "caps": (
            {
                **items("endorse", 1, 32, 1),
                **items("distress", 1, 32, 2),
                **items("intrusiveness", 1, 32, 3),
                **items("frequency", 1, 32, 4),
            },  # fmt: skip
            {},
            {},
        ),
        "cape42": ({**items("frequency", 1, 42, 2), **items("distress", 1, 42, 3)}, {}, {}),
    }
)
COMPLETE["cbir"] = (
    {**items("frequency", 1, 45, 1), **items("distress", 1, 45, 2), **CARER, "comments": "ok"},
    {},
    {},
)
COMPLETE["cecaq3"] = (
    {
        "s1b_institution": 0,
        "s1c_mother_died": 0,
        "s1c_father_died": 0,
        "s1c_separated_from_mother": 0,
        "s1c_separated_from_father": 0,
        "s2a_which_mother_figure": 1,
        "s3a_which_father_figure": 0,
        **items("s2a_q", 1, 16, 3),
        **items("s2b_q", 1, 17, 0),
        **{f"s2b_q{n}_frequency": 0 for n in range(1, 18)},
        **items("s3c_q", 1, 17, 1),
        "s3c_which_parent_cared_for": 0,
        "s4a_adultconfidant": 1,
        "s4b_childconfidant": 1,
        "s5c_physicalabuse": 0,
        "s5c_abuse_by_nonparent": 0,
        "s6_any_unwanted_sexual_experience": 0,
        "s6_unwanted_intercourse": 0,
        "s6_upsetting_sexual_adult_authority": 0,
        "s1c_describe_experience": "Moved house often",
        "any_other_comments": "None",
    },  # fmt: skip
    {},
    {},
)
