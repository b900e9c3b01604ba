"""Kirby Monetary Choice Questionnaire: delay-discounting rate k from the choices.

Sources of the rules:

* Kirby KN, Petry NM & Bickel WK (1999) J Exp Psychol Gen 128:78–87: 27
  choices between a smaller immediate reward (SIR) and a larger delayed
  reward (LDR, after ``delay_days``), at three reward magnitudes (small
  $25–35, medium $50–60, large $75–85 LDR). Under hyperbolic discounting,
  V = A / (1 + kD), each question has an indifference k = (LDR/SIR − 1)/D;
  choosing the LDR means the participant's k is below it.
* Kirby KN (2000) scoring instructions, as automated by Kaplan BA et al.
  (2016) Behav Anal Pract 9:259: rank the questions' indifference k values;
  each interval between consecutive values is a candidate (its estimate the
  geometric mean of its ends; below the lowest or above the highest, that
  extreme value itself); the candidate with the most choices consistent with
  it wins, ties resolved by the geometric mean of the tied estimates. The
  questionnaire's items share nine nominal k levels across magnitudes; the
  exact values differ only in the third significant figure, so ks are
  grouped to two significant figures (giving Kirby's nine levels).
* Wileyto EP et al. (2004) Behav Res Methods Instrum Comput 36:41–51: a
  logistic regression without intercept of the choice of the LDR on
  (1 − SIR/LDR) and (D · SIR/LDR); k = −β₂/β₁. Undefined (None) when the
  choices are perfectly separable — e.g. entirely consistent with one k —
  since the likelihood then has no maximum.

Completeness: all 27 questions (trials 1–27) answered.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData, TaskDefinition, TrackerSpec
from copse.tasks.logistic import fit_logistic
from copse.tasks.values import as_int

CHILD = "kirby_mcq_trials"
N_QUESTIONS = 27
#: Kirby et al. (1999) magnitude bands of the delayed reward.
MAGNITUDES = (("Small", 25, 35), ("Medium", 50, 60), ("Large", 75, 85))
CHOICES = {0: "Smaller immediate reward", 1: "Larger delayed reward"}


class Choice(NamedTuple):
    """One answered question."""

    trial: int | None
    sir: int
    ldr: int
    delay: int
    chose_ldr: bool

    @property
    def k_indifference(self) -> float:
        return (self.ldr / self.sir - 1.0) / self.delay


def choice_of(row: Mapping[str, Any]) -> Choice | None:
    """A trial usable for scoring: positive amounts, LDR > SIR, positive delay, answered."""
    sir, ldr, delay = as_int(row.get("sir")), as_int(row.get("ldr")), as_int(row.get("delay_days"))
    chose = as_int(row.get("chose_ldr"))
    if sir is None or ldr is None or delay is None or chose not in (0, 1):
        return None
    if sir <= 0 or ldr <= sir or delay <= 0:
        return None
    return Choice(as_int(row.get("trial")), sir, ldr, delay, chose == 1)


def choices(rows: Sequence[Mapping[str, Any]]) -> list[Choice]:
    return [c for c in (choice_of(r) for r in rows) if c is not None]


def two_sig_figs(value: float) -> float:
    return float(f"{value:.2g}")


def geometric_mean(values: Sequence[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def k_kirby(data: Sequence[Choice]) -> float | None:
    """Kirby's consistency-maximising k (days⁻¹); None without answers."""
    if not data:
        return None
    levels = sorted({two_sig_figs(c.k_indifference) for c in data})
    rank = {level: i for i, level in enumerate(levels)}
    # Interval j: participant's k lies between levels[j-1] and levels[j].
    estimates = [levels[0]]
    estimates += [math.sqrt(levels[j - 1] * levels[j]) for j in range(1, len(levels))]
    estimates.append(levels[-1])
    scores = []
    for j in range(len(levels) + 1):
        consistent = 0
        for c in data:
            r = rank[two_sig_figs(c.k_indifference)]
            # LDR is the consistent choice when the participant's k is below the item's.
            consistent += (j <= r) if c.chose_ldr else (j > r)
        scores.append(consistent)
    best = max(scores)
    return geometric_mean([e for e, s in zip(estimates, scores, strict=True) if s == best])


def k_wileyto(data: Sequence[Choice]) -> float | None:
    """Wileyto's logistic-regression k (days⁻¹); None if the fit is undefined."""
    x = [[1.0 - c.sir / c.ldr, c.delay * c.sir / c.ldr] for c in data]
    beta = fit_logistic(x, [int(c.chose_ldr) for c in data])
    if beta is None or beta[0] == 0:
        return None
    k = -beta[1] / beta[0]
    return k if math.isfinite(k) else None


def magnitude(ldr: int) -> str:
    for name, lo, hi in MAGNITUDES:
        if lo <= ldr <= hi:
            return name
    return "Other"


class KirbyMcq(TaskDefinition):
    tablename = "kirby_mcq"
    trackers = (TrackerSpec("k_kirby", "Kirby MCQ discounting rate k (per day)", 0, 0.25),)
    column_meanings = {
        f"{CHILD}.kirby_mcq_id": "The questionnaire (kirby_mcq.id) this choice belongs to",
        f"{CHILD}.trial": "Question number (1-based)",
        f"{CHILD}.sir": "Smaller immediate reward offered (currency units)",
        f"{CHILD}.ldr": "Larger delayed reward offered (currency units)",
        f"{CHILD}.delay_days": "Delay to the larger reward, in days",
        f"{CHILD}.currency": "Currency symbol shown with the amounts",
        f"{CHILD}.currency_symbol_first": "Currency symbol shown before the amount",
        f"{CHILD}.chose_ldr": "Choice: 1 = larger delayed reward, 0 = smaller immediate reward",
    }

    def is_complete(self, task: TaskData) -> bool:
        answered = {c.trial for c in choices(task.children(CHILD))}
        return all(n in answered for n in range(1, N_QUESTIONS + 1))

    def summaries(self, task: TaskData) -> list[Summary]:
        data = choices(task.children(CHILD))
        return [
            Summary("k_kirby", k_kirby(data), "k (days⁻¹, Kirby 2000 method)", kind="float"),
            Summary("k_wileyto", k_wileyto(data), "k (days⁻¹, Wileyto 2004 method)", kind="float"),
            Summary("n_answered", len(data), "Questions answered (usable for scoring)"),
        ]

    def clinical_summary(self, task: TaskData) -> str:
        data = choices(task.children(CHILD))
        parts = []
        for label, k in (("k (Kirby)", k_kirby(data)), ("k (Wileyto)", k_wileyto(data))):
            parts.append(f"{label} {k:.3g}/day" if k is not None else f"{label} not estimable")
        parts.append(f"{len(data)}/{N_QUESTIONS} answered")
        if not self.is_complete(task):
            parts.append("incomplete")
        return f"{self.shortname}: " + ", ".join(parts)

    def body_html(self, task: TaskData) -> Markup:
        rows = task.children(CHILD)
        data = choices(rows)
        by_magnitude: list[tuple[h.HtmlCell, ...]] = []
        for name, _, _ in (*MAGNITUDES, ("Other", 0, 0)):
            group = [c for c in data if magnitude(c.ldr) == name]
            if group:
                k = k_kirby(group)
                by_magnitude.append((name, len(group), f"{k:.4g}" if k is not None else None))
        trials: list[tuple[h.HtmlCell, ...]] = []
        for r in rows:
            c = choice_of(r)
            trials.append(
                (
                    r.get("trial"),
                    r.get("sir"),
                    r.get("ldr"),
                    r.get("delay_days"),
                    f"{c.k_indifference:.4g}" if c is not None else None,
                    h.answer(r.get("chose_ldr"), CHOICES),
                )
            )
        return Markup("").join(
            [
                h.section(
                    "k by reward magnitude (Kirby method)",
                    h.table(by_magnitude, header=("Magnitude", "Questions", "k (per day)"))
                    if by_magnitude
                    else Markup('<p class="copse-empty">(no answered questions)</p>'),
                ),
                h.section(
                    "Choices",
                    h.table(
                        trials,
                        header=(
                            "Question",
                            "Immediate",
                            "Delayed",
                            "Delay (days)",
                            "k at indifference",
                            "Choice",
                        ),
                        css_class="copse-records",
                    )
                    if trials
                    else Markup('<p class="copse-empty">(none)</p>'),
                ),
            ]
        )


TASKS = (KirbyMcq(),)
