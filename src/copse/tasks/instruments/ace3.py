"""ACE-III (Addenbrooke's Cognitive Examination III).

Source: Hsieh, Schubert, Hoon, Mioshi & Hodges (2013) Dement Geriatr Cogn
Disord 36:242, and the ACE-III administration and scoring guide. Total /100
in five domains:

* Attention /18: orientation to time (5) and place (5), registration of three
  words (3), serial 7s (5).
* Memory /26: recall of the three words (3), the third learning trial of the
  seven-element name and address (7; trials 1–2 are not scored), famous
  people (4), delayed recall of the address (7), and recognition (5).
  Recognition has one point per line of the address (name, number, street,
  town, county): a line the person recalled in full scores without testing;
  otherwise its recognition answer scores.
* Fluency /14: letter and animal fluency, each stored as its 0–7 score.
* Language /26: commands (3; scored 0 and not given if the practice command
  failed), writing (2), repetition of four words (2 if all four, 1 if three,
  else 0), repetition of two sentences (2), naming (12), comprehension (4),
  reading aloud (1).
* Visuospatial /16: infinity copy (1), cube copy (0–2), clock (0–5), dot
  counting (4), fragmented letters (4).

Cut-offs (Hsieh et al. 2013): ≤88 (high sensitivity) and ≤82 (high
specificity) suggest dementia. Completeness (our reading): every scored item
present, except the commands when the practice command failed and the
recognition item of any line recalled in full.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData, TaskDefinition
from copse.tasks.meta import Cutoff, TrackerSpec
from copse.tasks.values import int_in_range, qfields

BINARY = (0, 1)

ATTENTION = (
    *qfields("attn_time", 1, 5),
    *qfields("attn_place", 1, 5),
    *qfields("attn_repeat_word", 1, 3),
    *qfields("attn_serial7_subtraction", 1, 5),
)
MEM_RECALL_WORDS = qfields("mem_recall_word", 1, 3)
ADDRESS_TRIAL3 = qfields("mem_repeat_address_trial3_", 1, 7)
FAMOUS = qfields("mem_famous", 1, 4)
ADDRESS_RECALL = qfields("mem_recall_address", 1, 7)
RECOGNITION = qfields("mem_recognize_address", 1, 5)
#: Recognition line → the recall elements that make up that line.
RECOGNITION_LINES: tuple[tuple[int, ...], ...] = ((1, 2), (3,), (4, 5), (6,), (7,))
COMMANDS = qfields("lang_follow_command", 1, 3)
WRITING = qfields("lang_write_sentences_point", 1, 2)
REPEAT_WORDS = qfields("lang_repeat_word", 1, 4)
REPEAT_SENTENCES = qfields("lang_repeat_sentence", 1, 2)
NAMING = qfields("lang_name_picture", 1, 12)
CONCEPTS = qfields("lang_identify_concept", 1, 4)
DOTS = qfields("vsp_count_dots", 1, 4)
#: The ACE-III items that make up the Mini-ACE /30 (Hsieh et al. 2015): the
#: first four orientation-to-time items, the third address trial, animal
#: fluency, the clock and delayed address recall.
MINI_ACE_ITEMS = (
    *qfields("attn_time", 1, 4),
    *ADDRESS_TRIAL3,
    "fluency_animals_score",
    "vsp_draw_clock",
    *ADDRESS_RECALL,
)
LETTERS = qfields("vsp_identify_letter", 1, 4)

#: Permitted range of every scored field (unlisted scored fields are 0/1).
RANGES: dict[str, tuple[int, int]] = {
    "fluency_letters_score": (0, 7),
    "fluency_animals_score": (0, 7),
    "vsp_copy_cube": (0, 2),
    "vsp_draw_clock": (0, 5),
}

ALWAYS_REQUIRED: tuple[str, ...] = (
    *ATTENTION,
    *MEM_RECALL_WORDS,
    *ADDRESS_TRIAL3,
    *FAMOUS,
    *ADDRESS_RECALL,
    "fluency_letters_score",
    "fluency_animals_score",
    "lang_follow_command_practice",
    *WRITING,
    *REPEAT_WORDS,
    *REPEAT_SENTENCES,
    *NAMING,
    *CONCEPTS,
    "lang_read_words_aloud",
    "vsp_copy_infinity",
    "vsp_copy_cube",
    "vsp_draw_clock",
    *DOTS,
    *LETTERS,
)


def score(task: TaskData, field: str) -> int | None:
    """A scored field's value if it is within its permitted range, else None."""
    lo, hi = RANGES.get(field, (0, 1))
    return int_in_range(task.get(field), lo, hi)


def total(task: TaskData, fields: Sequence[str]) -> int:
    return sum(score(task, f) or 0 for f in fields)


def fields_valid(task: TaskData, fields: Sequence[str]) -> bool:
    """No present field holds an out-of-range value."""
    return all(task.get(f) is None or score(task, f) is not None for f in fields)


def line_recalled(task: TaskData, line: int) -> bool:
    return all(score(task, f"mem_recall_address{e}") == 1 for e in RECOGNITION_LINES[line - 1])


def recognition_score(task: TaskData) -> int:
    return sum(
        1 if line_recalled(task, n) else (score(task, f"mem_recognize_address{n}") or 0)
        for n in range(1, 6)
    )


def repeat_words_score(task: TaskData) -> int:
    correct = total(task, REPEAT_WORDS)
    return 2 if correct == 4 else 1 if correct == 3 else 0


def practice_passed(task: TaskData) -> bool:
    return score(task, "lang_follow_command_practice") == 1


class Ace3(TaskDefinition):
    tablename = "ace3"
    trackers = (
        TrackerSpec(
            "total",
            "ACE-III total score (≤88 and ≤82 suggest dementia)",
            0,
            100,
            (Cutoff(83, "Above 82"), Cutoff(89, "Above 88")),
        ),
    )

    def required(self, task: TaskData) -> list[str]:
        req = list(ALWAYS_REQUIRED)
        if practice_passed(task):
            req.extend(COMMANDS)
        req.extend(f"mem_recognize_address{n}" for n in range(1, 6) if not line_recalled(task, n))
        return req

    def is_complete(self, task: TaskData) -> bool | None:
        if not fields_valid(task, (*ALWAYS_REQUIRED, *COMMANDS, *RECOGNITION)):
            return False
        return all(score(task, f) is not None for f in self.required(task))

    def domain_scores(self, task: TaskData) -> dict[str, int]:
        return {
            "attention": total(task, ATTENTION),
            "memory": total(task, (*MEM_RECALL_WORDS, *ADDRESS_TRIAL3, *FAMOUS, *ADDRESS_RECALL))
            + recognition_score(task),
            "fluency": total(task, ("fluency_letters_score", "fluency_animals_score")),
            "language": (total(task, COMMANDS) if practice_passed(task) else 0)
            + total(task, WRITING)
            + repeat_words_score(task)
            + total(task, (*REPEAT_SENTENCES, *NAMING, *CONCEPTS, "lang_read_words_aloud")),
            "visuospatial": total(
                task, ("vsp_copy_infinity", "vsp_copy_cube", "vsp_draw_clock", *DOTS, *LETTERS)
            ),
        }

    def summaries(self, task: TaskData) -> list[Summary]:
        d = self.domain_scores(task)
        grand = sum(d.values())
        return [
            Summary("total", grand, "Total score", 100),
            Summary("attn", d["attention"], "Attention", 18),
            Summary("mem", d["memory"], "Memory", 26),
            Summary("fluency", d["fluency"], "Fluency", 14),
            Summary("lang", d["language"], "Language", 26),
            Summary("vsp", d["visuospatial"], "Visuospatial", 16),
            Summary(
                "mini_ace",
                total(task, MINI_ACE_ITEMS),
                "Mini-ACE score within the ACE-III (time orientation, address trial 3, "
                "animal fluency, clock, address recall)",
                30,
            ),
            Summary(
                "at_or_below_88", grand <= 88, "At or below the high-sensitivity cut-off (≤88)"
            ),
            Summary(
                "at_or_below_82", grand <= 82, "At or below the high-specificity cut-off (≤82)"
            ),
        ]

    def body_html(self, task: TaskData) -> Markup:
        groups: list[tuple[str, Sequence[str]]] = [
            (
                "Background",
                (
                    "task_edition",
                    "task_address_version",
                    "remote_administration",
                    "age_at_leaving_full_time_education",
                    "occupation",
                    "handedness",
                ),
            ),
            ("Attention", ("attn_num_registration_trials", *ATTENTION)),
            (
                "Memory",
                (
                    *MEM_RECALL_WORDS,
                    *qfields("mem_repeat_address_trial1_", 1, 7),
                    *qfields("mem_repeat_address_trial2_", 1, 7),
                    *ADDRESS_TRIAL3,
                    *FAMOUS,
                    *ADDRESS_RECALL,
                    *RECOGNITION,
                    *qfields("mem_recognize_address_choice", 1, 5),
                ),
            ),
            ("Fluency", ("fluency_letters_score", "fluency_animals_score")),
            (
                "Language",
                (
                    "lang_follow_command_practice",
                    *COMMANDS,
                    *WRITING,
                    *REPEAT_WORDS,
                    *REPEAT_SENTENCES,
                    *NAMING,
                    *CONCEPTS,
                    "lang_read_words_aloud",
                ),
            ),
            (
                "Visuospatial",
                ("vsp_copy_infinity", "vsp_copy_cube", "vsp_draw_clock", *DOTS, *LETTERS),
            ),
        ]
        return field_groups_html(self, task, groups)


def field_groups_html(
    task_def: TaskDefinition, task: TaskData, groups: Sequence[tuple[str, Sequence[str]]]
) -> Markup:
    """Sections of field/value tables, then the pictures and comments."""
    kinds = task_def.info.column_map
    parts = [
        h.section(
            title,
            h.table(
                [
                    (f, h.value_html(task.get(f), kinds[f].kind if f in kinds else None))
                    for f in fields
                ],
                header=("Item", "Value"),
                css_class="copse-answers",
            ),
        )
        for title, fields in groups
    ]
    pictures = h.table(
        [
            ("Picture 1", h.blob_html(task.get("picture1_blobid"), task.blobs, "picture 1")),
            ("Picture 2", h.blob_html(task.get("picture2_blobid"), task.blobs, "picture 2")),
            ("Comments", task.get("comments")),
        ]
    )
    parts.append(h.section("Pictures and comments", pictures))
    return Markup("").join(parts)


TASKS = (Ace3(),)
