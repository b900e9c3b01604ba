"""Completeness of the respondent details of informant-rated tasks.

Tasks answered by someone other than the patient (a carer, a relative) are
only interpretable when we know who answered: the reference counts such a
task complete only when the respondent's name and relationship to the patient
are both given, and so do we. Kept in one place so every informant-rated task
applies the same rule.
"""

from __future__ import annotations

from copse.tasks.base import TaskData
from copse.tasks.values import is_nonempty_text


def respondent_details_complete(task: TaskData) -> bool:
    """True when the respondent's name and relationship are both non-blank text."""
    return is_nonempty_text(task.get("respondent_name")) and is_nonempty_text(
        task.get("respondent_relationship")
    )


__all__ = ["respondent_details_complete"]
