"""Three-dimensional intradimensional/extradimensional (ID/ED) set-shifting task.

The participant learns, by feedback, which of two stimuli (varying in shape,
colour and number) is correct, through a series of stages: simple
discrimination and reversal, compound discriminations, an intradimensional
shift and reversal, then an extradimensional shift (the rule moves to a
previously irrelevant dimension) and reversal — after Downes JJ et al. (1989)
Neuropsychologia 27:1329 and Roberts AC, Robbins TW & Everitt BJ (1988)
Q J Exp Psychol B 40:321. A stage is passed after a run of correct
responses (the task's progress criterion) and failed after its maximum number
of trials; the task ends at the first failure or after the last stage.

The reference server reports no summaries. copse reports, from the trial rows,
the highest stage reached, the number of trials and errors in all and per
stage (errors per stage are the task's main outcome: a rise at the ED shift
marks difficulty shifting set), and the number of stages the tablet marked
as passed.

Completeness (CamCOPS-compatible, reproducing its examples): the task was
finished, or it was run in the display-stimuli-only (debug) mode.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData, TaskDefinition, TrackerSpec
from copse.tasks.svgchart import bar_chart
from copse.tasks.tristate import is_set
from copse.tasks.values import as_int

TRIALS = "ided3d_trials"
STAGES = "ided3d_stages"


class StageResult(NamedTuple):
    """What the trial rows say about one stage."""

    stage: int
    trials: int
    correct: int
    errors: int


def stage_results(trials: Sequence[Mapping[str, Any]]) -> list[StageResult]:
    """Trials, correct responses and errors per stage number, in stage order."""
    counts: dict[int, list[int]] = {}
    for t in trials:
        stage = as_int(t.get("stage"))
        if stage is None:
            continue
        c = counts.setdefault(stage, [0, 0, 0])
        c[0] += 1
        c[1] += is_set(t.get("correct"))
        c[2] += is_set(t.get("incorrect"))
    return [StageResult(s, *counts[s]) for s in sorted(counts)]


class Ided3d(TaskDefinition):
    tablename = "ided3d"
    trackers = (TrackerSpec("total_errors", "ID/ED total errors", 0, 200),)
    column_meanings = {
        "last_stage": "Last stage to run (stages are 1-based)",
        "max_trials_per_stage": "A stage is failed after this many trials",
        "progress_criterion_x": "Correct responses needed to pass a stage…",
        "progress_criterion_y": "…out of this many consecutive trials",
        "min_number": "Fewest copies of a shape in a stimulus",
        "max_number": "Most copies of a shape in a stimulus",
        "pause_after_beep_ms": "Pause after feedback sound (ms)",
        "iti_ms": "Inter-trial interval (ms)",
        "counterbalance_dimensions": "Counterbalancing of the stimulus dimensions",
        "volume": "Sound volume (0–1)",
        "offer_abort": "An abort button was offered",
        "debug_display_stimuli_only": "Debug mode: stimuli displayed only, no task run",
        "shape_definitions_svg": "Shape definitions (SVG) used",
        "colour_definitions_rgb": "Colour definitions (RGB) used",
        "aborted": "The task was aborted",
        "finished": "The task was finished",
        "last_trial_completed": "Number of the last trial completed",
        f"{TRIALS}.ided3d_id": "The task (ided3d.id) this trial belongs to",
        f"{TRIALS}.trial": "Trial number (1-based)",
        f"{TRIALS}.stage": "Stage of this trial (1-based)",
        f"{TRIALS}.correct_location": "Screen location of the correct stimulus",
        f"{TRIALS}.incorrect_location": "Screen location of the incorrect stimulus",
        f"{TRIALS}.correct_shape": "Shape of the correct stimulus",
        f"{TRIALS}.correct_colour": "Colour of the correct stimulus",
        f"{TRIALS}.correct_number": "Number of shapes in the correct stimulus",
        f"{TRIALS}.incorrect_shape": "Shape of the incorrect stimulus",
        f"{TRIALS}.incorrect_colour": "Colour of the incorrect stimulus",
        f"{TRIALS}.incorrect_number": "Number of shapes in the incorrect stimulus",
        f"{TRIALS}.trial_start_time": "When the trial started",
        f"{TRIALS}.responded": "The participant responded",
        f"{TRIALS}.response_time": "When the participant responded",
        f"{TRIALS}.response_latency_ms": "Response latency (ms)",
        f"{TRIALS}.correct": "The response was correct",
        f"{TRIALS}.incorrect": "The response was incorrect (an error)",
        f"{STAGES}.ided3d_id": "The task (ided3d.id) this stage belongs to",
        f"{STAGES}.stage": "Stage number (1-based)",
        f"{STAGES}.stage_name": "Stage name (e.g. SD, IDS, EDS)",
        f"{STAGES}.relevant_dimension": "Dimension that decides the correct stimulus",
        f"{STAGES}.correct_exemplar": "Exemplar of the relevant dimension that is correct",
        f"{STAGES}.incorrect_exemplar": "Exemplar of the relevant dimension that is incorrect",
        f"{STAGES}.correct_stimulus_shapes": "Shapes in use for the correct stimulus",
        f"{STAGES}.correct_stimulus_colours": "Colours in use for the correct stimulus",
        f"{STAGES}.correct_stimulus_numbers": "Numbers in use for the correct stimulus",
        f"{STAGES}.incorrect_stimulus_shapes": "Shapes in use for the incorrect stimulus",
        f"{STAGES}.incorrect_stimulus_colours": "Colours in use for the incorrect stimulus",
        f"{STAGES}.incorrect_stimulus_numbers": "Numbers in use for the incorrect stimulus",
        f"{STAGES}.first_trial_num": "First trial of this stage",
        f"{STAGES}.n_completed_trials": "Trials completed in this stage (tablet's count)",
        f"{STAGES}.n_correct": "Correct responses in this stage (tablet's count)",
        f"{STAGES}.n_incorrect": "Errors in this stage (tablet's count)",
        f"{STAGES}.stage_passed": "The stage was passed",
        f"{STAGES}.stage_failed": "The stage was failed",
    }

    def is_complete(self, task: TaskData) -> bool:
        return is_set(task.get("finished")) or is_set(task.get("debug_display_stimuli_only"))

    def summaries(self, task: TaskData) -> list[Summary]:
        results = stage_results(task.children(TRIALS))
        return [
            Summary(
                "highest_stage_reached",
                results[-1].stage if results else None,
                "Highest stage with at least one trial",
                kind="int",
            ),
            Summary(
                "n_stages_passed",
                sum(1 for s in task.children(STAGES) if is_set(s.get("stage_passed"))),
                "Stages the tablet marked as passed",
            ),
            Summary("total_trials", sum(r.trials for r in results), "Trials in all stages"),
            Summary("total_errors", sum(r.errors for r in results), "Errors in all stages"),
        ]

    def clinical_summary(self, task: TaskData) -> str:
        s = {x.name: x.value for x in self.summaries(task)}
        parts = [
            f"reached stage {s['highest_stage_reached']}"
            if s["highest_stage_reached"] is not None
            else "no trials",
            f"{s['n_stages_passed']} stages passed",
            f"{s['total_errors']} errors in {s['total_trials']} trials",
        ]
        if not self.is_complete(task):
            parts.append("incomplete")
        return f"{self.shortname}: " + ", ".join(parts)

    def body_html(self, task: TaskData) -> Markup:
        results = stage_results(task.children(TRIALS))
        stage_rows = {as_int(s.get("stage")): s for s in task.children(STAGES)}
        names = {n: s.get("stage_name") for n, s in stage_rows.items()}
        rows: list[tuple[h.HtmlCell, ...]] = []
        for r in results:
            spec = stage_rows.get(r.stage, {})
            rows.append(
                (
                    r.stage,
                    spec.get("stage_name"),
                    spec.get("relevant_dimension"),
                    r.trials,
                    r.correct,
                    r.errors,
                    h.value_html(spec.get("stage_passed"), "bool"),
                    h.value_html(spec.get("stage_failed"), "bool"),
                )
            )
        bars = [(str(names.get(r.stage) or r.stage), float(r.errors)) for r in results]
        table = (
            h.table(
                rows,
                header=(
                    "Stage",
                    "Name",
                    "Relevant dimension",
                    "Trials",
                    "Correct",
                    "Errors",
                    "Passed",
                    "Failed",
                ),
            )  # fmt: skip
            if rows
            else Markup('<p class="copse-empty">(no trials)</p>')
        )
        return Markup("").join(
            [
                h.section("Results by stage (from the trials)", table),
                bar_chart(bars, title="Errors per stage", x_label="Stage", y_label="Errors"),
                h.section("Settings", h.record_html(self.tablename, task.row)),
                h.section("Stages", h.records_html(STAGES, task.children(STAGES))),
                h.section("Trials", h.records_html(TRIALS, task.children(TRIALS))),
            ]
        )


TASKS = (Ided3d(),)
