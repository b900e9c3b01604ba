"""One complete instance of each task of branch cat18b, for test_task_rendering.

The forms have dozens of columns, so each example is the reference's first
complete ``valid`` example of that task (task_examples.json), which the
reference-examples test already holds our completeness rule to.
"""

from __future__ import annotations

from typing import Any

from reference import reference_examples

from copse.tasks.base import BlobInfo

CAT18B_TASKS = (
    "elixhauserci", "qolsg", "irac", "cet", "contactlog", "cpft_covid_medical",
    "cpft_lps_discharge", "cpft_lps_referral", "cpft_lps_resetresponseclock",
    "cpft_research_preferences", "deakin_1_healthreview", "demoquestionnaire",
    "khandaker_1_medicalhistory", "khandaker_mojo_medical", "khandaker_mojo_medicationtherapy",
    "khandaker_mojo_sociodemographics", "lynall_1_iam_medical", "lynall_iam_life",
    "psychiatricclerking",
)  # fmt: skip


def _first_complete(tablename: str) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    for ex in reference_examples()[tablename]:
        if ex["kind"] == "valid" and ex["is_complete"]:
            return dict(ex["row"]), {k: list(v) for k, v in ex.get("children", {}).items()}
    raise AssertionError(f"no complete example of {tablename}")


def _with_logic() -> set[str]:
    from copse.tasks.catalogue import tasks_with_logic

    return {t.tablename for t in tasks_with_logic()}


COMPLETE: dict[str, tuple[dict[str, Any], dict[str, list[dict[str, Any]]], dict[int, BlobInfo]]] = {
    name: (*_first_complete(name), {}) for name in CAT18B_TASKS if name in _with_logic()
}
