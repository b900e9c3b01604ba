"""Cardinal RN — Expectation–Detection task: detection rates and signal-detection indices.

The participant sees or hears a cue, then a possible faint target, and rates
how sure they are that a target was present (0–4, higher = more sure); points
reward correct confident ratings. Results are computed from the trial rows:

* a trial counts when the participant responded; a rating of 3 or 4 counts
  as "detected" (CamCOPS-compatible; its examples reproduce only with this
  threshold);
* P(detect | target present) is the hit rate H, P(detect | absent) the
  false-alarm rate F;
* signal-detection theory (Green & Swets 1966, *Signal Detection Theory and
  Psychophysics*; Macmillan & Creelman 2005): d′ = z(H) − z(F) and
  c = −(z(H) + z(F))/2, with rates of 0 or 1 replaced by 0.001 and 0.999 so
  that z is finite (the reference's correction, e.g. F = 0 gives z = −3.09);
* the final score is the cumulative points after the last trial.

Shown overall (the reference's summaries), per block and per trial group
(cue × target combination, from the trial group specifications).
Completeness: the task was finished.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from statistics import NormalDist
from typing import Any, NamedTuple

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData, TaskDefinition
from copse.tasks.svgchart import line_chart
from copse.tasks.tristate import is_set
from copse.tasks.values import as_int

TRIALS = "cardinal_expdet_trials"
GROUPS = "cardinal_expdet_trialgroupspec"
DETECTION_RATING = 3
P_FLOOR, P_CEILING = 0.001, 0.999
_Z = NormalDist()


class Detection(NamedTuple):
    """Hit and false-alarm rates with the signal-detection indices they imply."""

    p_present: float | None
    p_absent: float | None
    d_prime: float | None
    c: float | None
    n_present: int
    n_absent: int


def z(p: float) -> float:
    return _Z.inv_cdf(min(max(p, P_FLOOR), P_CEILING))


def detection(trials: Sequence[Mapping[str, Any]]) -> Detection:
    """Rates over the responded trials; None where a denominator is zero."""
    present = absent = hits = false_alarms = 0
    for t in trials:
        if not is_set(t.get("responded")):
            continue
        rating = as_int(t.get("rating"))
        detected = rating is not None and rating >= DETECTION_RATING
        if is_set(t.get("target_present")):
            present += 1
            hits += detected
        else:
            absent += 1
            false_alarms += detected
    h_rate = hits / present if present else None
    f_rate = false_alarms / absent if absent else None
    if h_rate is None or f_rate is None:
        return Detection(h_rate, f_rate, None, None, present, absent)
    zh, zf = z(h_rate), z(f_rate)
    return Detection(h_rate, f_rate, zh - zf, -(zh + zf) / 2, present, absent)


def rate_text(d: Detection) -> tuple[h.HtmlCell, ...]:
    def f(v: float | None) -> str | None:
        return None if v is None else f"{v:.3f}"

    return (d.n_present, f(d.p_present), d.n_absent, f(d.p_absent), f(d.d_prime), f(d.c))


RATE_HEADER = ("Target trials", "P(detect | present)", "No-target trials",
               "P(detect | absent)", "d′", "c")  # fmt: skip


class CardinalExpDet(TaskDefinition):
    tablename = "cardinal_expdet"
    column_meanings = {
        "num_blocks": "Number of blocks of trials",
        "stimulus_counterbalancing": "Counterbalancing condition of the stimuli",
        "is_detection_response_on_right": "Detection response button on the right?",
        "pause_every_n_trials": "Pause offered every this many trials",
        "cue_duration_s": "Cue duration (s)",
        "visual_cue_intensity": "Visual cue intensity (0–1)",
        "auditory_cue_intensity": "Auditory cue intensity (0–1)",
        "isi_duration_s": "Interval between cue and target (s)",
        "visual_target_duration_s": "Visual target duration (s)",
        "visual_background_intensity": "Visual background intensity (0–1)",
        "visual_target_0_intensity": "Intensity of visual target 0 (0–1)",
        "visual_target_1_intensity": "Intensity of visual target 1 (0–1)",
        "auditory_background_intensity": "Auditory background intensity (0–1)",
        "auditory_target_0_intensity": "Intensity of auditory target 0 (0–1)",
        "auditory_target_1_intensity": "Intensity of auditory target 1 (0–1)",
        "iti_min_s": "Minimum inter-trial interval (s)",
        "iti_max_s": "Maximum inter-trial interval (s)",
        "aborted": "The task was aborted",
        "finished": "The task was finished",
        "last_trial_completed": "Number of the last trial completed",
        f"{TRIALS}.cardinal_expdet_id": "The task (cardinal_expdet.id) this trial belongs to",
        f"{TRIALS}.trial": "Trial number (1-based)",
        f"{TRIALS}.block": "Block number",
        f"{TRIALS}.group_num": "Trial group (cue × target combination)",
        f"{TRIALS}.cue": "Cue given",
        f"{TRIALS}.raw_cue_number": "Cue number before counterbalancing",
        f"{TRIALS}.target_modality": "Target modality (auditory/visual)",
        f"{TRIALS}.target_number": "Which target of the modality",
        f"{TRIALS}.target_present": "Target presented on this trial",
        f"{TRIALS}.iti_length_s": "Inter-trial interval (s)",
        f"{TRIALS}.pause_given_before_trial": "A pause was given before this trial",
        f"{TRIALS}.pause_start_time": "When the pause started",
        f"{TRIALS}.pause_end_time": "When the pause ended",
        f"{TRIALS}.trial_start_time": "When the trial started",
        f"{TRIALS}.cue_start_time": "When the cue started",
        f"{TRIALS}.target_start_time": "When the target period started",
        f"{TRIALS}.detection_start_time": "When the detection response was invited",
        f"{TRIALS}.iti_start_time": "When the inter-trial interval started",
        f"{TRIALS}.iti_end_time": "When the inter-trial interval ended",
        f"{TRIALS}.trial_end_time": "When the trial ended",
        f"{TRIALS}.responded": "The participant responded",
        f"{TRIALS}.response_time": "When the participant responded",
        f"{TRIALS}.response_latency_ms": "Response latency (ms)",
        f"{TRIALS}.rating": "Confidence that a target was present (0–4; 3–4 = detected)",
        f"{TRIALS}.correct": "The response was correct",
        f"{TRIALS}.points": "Points won or lost on this trial",
        f"{TRIALS}.cumulative_points": "Points so far, after this trial",
        f"{GROUPS}.cardinal_expdet_id": "The task (cardinal_expdet.id) this group belongs to",
        f"{GROUPS}.group_num": "Trial group number",
        f"{GROUPS}.cue": "Cue of this group",
        f"{GROUPS}.target_modality": "Target modality of this group",
        f"{GROUPS}.target_number": "Target number of this group",
        f"{GROUPS}.n_target": "Trials per block with the target present",
        f"{GROUPS}.n_no_target": "Trials per block with no target",
    }

    def is_complete(self, task: TaskData) -> bool:
        return is_set(task.get("finished"))

    def final_score(self, task: TaskData) -> int | None:
        trials = task.children(TRIALS)
        return as_int(trials[-1].get("cumulative_points")) if trials else None

    def summaries(self, task: TaskData) -> list[Summary]:
        d = detection(task.children(TRIALS))
        return [
            Summary("final_score", self.final_score(task), "Points at the end", kind="int"),
            Summary(
                "overall_p_detect_present",
                d.p_present,
                "P(detection | target present), responded trials (rating ≥ 3 = detected)",
                kind="float",
            ),
            Summary(
                "overall_p_detect_absent",
                d.p_absent,
                "P(detection | target absent), responded trials",
                kind="float",
            ),
            Summary("overall_c", d.c, "Response bias c = −(z(H) + z(F))/2", kind="float"),
            Summary("overall_d", d.d_prime, "Discriminability d′ = z(H) − z(F)", kind="float"),
        ]

    def clinical_summary(self, task: TaskData) -> str:
        d = detection(task.children(TRIALS))
        parts = [f"{len(task.children(TRIALS))} trials"]
        score = self.final_score(task)
        if score is not None:
            parts.append(f"final score {score}")
        if d.d_prime is not None and d.c is not None:
            parts.append(f"d′ {d.d_prime:.2f}, c {d.c:.2f}")
        if not self.is_complete(task):
            parts.append("incomplete")
        return f"{self.shortname}: " + ", ".join(parts)

    def body_html(self, task: TaskData) -> Markup:
        trials = task.children(TRIALS)
        blocks: dict[int | None, list[Mapping[str, Any]]] = {}
        groups: dict[int | None, list[Mapping[str, Any]]] = {}
        for t in trials:
            blocks.setdefault(as_int(t.get("block")), []).append(t)
            groups.setdefault(as_int(t.get("group_num")), []).append(t)
        specs = {as_int(g.get("group_num")): g for g in task.children(GROUPS)}
        block_rows = [(b, len(ts), *rate_text(detection(ts))) for b, ts in blocks.items()]
        group_rows = []
        for g, ts in groups.items():
            spec = specs.get(g, {})
            group_rows.append(
                (g, spec.get("cue"), spec.get("target_modality"), spec.get("target_number"),
                 *rate_text(detection(ts)))
            )  # fmt: skip
        points = [
            (float(n), float(p))
            for n, p in (
                (as_int(t.get("trial")), as_int(t.get("cumulative_points"))) for t in trials
            )
            if n is not None and p is not None
        ]
        empty = Markup('<p class="copse-empty">(no trials)</p>')
        return Markup("").join(
            [
                h.section("Settings", h.record_html(self.tablename, task.row)),
                h.section(
                    "Results by block",
                    h.table(block_rows, header=("Block", "Trials", *RATE_HEADER))
                    if block_rows
                    else empty,
                ),
                h.section(
                    "Results by trial group",
                    h.table(
                        group_rows,
                        header=("Group", "Cue", "Target modality", "Target", *RATE_HEADER),
                    )
                    if group_rows
                    else empty,
                ),
                line_chart(points, title="Cumulative points", x_label="Trial", y_label="Points"),
                h.section(
                    "Trial group specifications", h.records_html(GROUPS, task.children(GROUPS))
                ),
                h.section("Trials", h.records_html(TRIALS, trials)),
            ]
        )


TASKS = (CardinalExpDet(),)
