"""CAPE-42 (Community Assessment of Psychic Experiences).

Sources: Stefanis et al. (2002) Psychol Med 32:347; Konings et al. (2006)
Acta Psychiatr Scand 114:55; scoring instructions of the CAPE website
(cape42.homestead.com). Forty-two experiences, each rated for frequency 1
"never", 2 "sometimes", 3 "often", 4 "nearly always"; when it ever happens
(frequency 2–4), for distress 1 "not distressed" … 4 "very distressed".
Dimensions: positive (20 items: 2, 5, 6, 7, 10, 11, 13, 15, 17, 20, 22, 24,
26, 28, 30, 31, 33, 34, 41, 42), negative (14 items: 3, 4, 8, 16, 18, 21, 23,
25, 27, 29, 32, 35, 36, 37) and depressive (8 items: 1, 9, 12, 14, 19, 38, 39,
40). For each dimension (and all 42 items) the sum and the weighted score
(sum ÷ number of items contributing) are reported, for frequency and for
distress.

Distress of an experience that never happens counts as 1 ("not distressed"),
as the CAPE instructions prescribe. Reference compatibility (CamCOPS): an
experience whose frequency is unanswered also adds 1 to the distress sums,
but is not counted in the weighted distress; a frequency 2–4 without a
distress rating adds nothing. Weighted scores are None when no item
contributes. Completeness: all 42 frequencies, and a distress rating for each
experience that happens.
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData, TaskDefinition, TrackerSpec
from copse.tasks.values import int_in

ALL = tuple(range(1, 43))
POSITIVE = (2, 5, 6, 7, 10, 11, 13, 15, 17, 20, 22, 24, 26, 28, 30, 31, 33, 34, 41, 42)
NEGATIVE = (3, 4, 8, 16, 18, 21, 23, 25, 27, 29, 32, 35, 36, 37)
DEPRESSIVE = (1, 9, 12, 14, 19, 38, 39, 40)
RATING = (1, 2, 3, 4)
FREQUENCY = {1: "never", 2: "sometimes", 3: "often", 4: "nearly always"}
DISTRESS = {1: "not distressed", 2: "a bit distressed", 3: "quite distressed", 4: "very distressed"}
#: summary names: (sum of frequency, sum of distress, weighted frequency, weighted distress)
DIMENSIONS: tuple[tuple[str, tuple[int, ...], tuple[str, str, str, str]], ...] = (
    ("All items", ALL, ("all_freq", "all_distress", "wt_all_freq", "wt_all_distress")),
    ("Positive", POSITIVE, ("positive_frequency", "positive_distress", "wt_pos_freq",
                            "wt_pos_distress")),
    ("Negative", NEGATIVE, ("negative_frequency", "negative_distress", "wt_neg_freq",
                            "wt_neg_distress")),
    ("Depressive", DEPRESSIVE, ("depressive_frequency", "depressive_distress", "wt_dep_freq",
                                "wt_dep_distress")),
)  # fmt: skip


#: (frequency sum, distress sum, weighted frequency, weighted distress)
Scores = tuple[int, int, float | None, float | None]


def _ratio(total: int, count: int) -> float | None:
    return total / count if count else None


class Cape42(TaskDefinition):
    tablename = "cape42"
    column_meanings = {
        **{f"frequency{n}": f"Experience {n}: how often (1 never … 4 nearly always)" for n in ALL},
        **{
            f"distress{n}": f"Experience {n}: distress if it happens (1 not … 4 very distressed)"
            for n in ALL
        },
    }
    trackers = (
        TrackerSpec("wt_pos_freq", "CAPE-42 positive frequency (weighted)", 1, 4),
        TrackerSpec("wt_neg_freq", "CAPE-42 negative frequency (weighted)", 1, 4),
        TrackerSpec("wt_dep_freq", "CAPE-42 depressive frequency (weighted)", 1, 4),
    )

    @staticmethod
    def freq(task: TaskData, n: int) -> int | None:
        return int_in(task.get(f"frequency{n}"), RATING)

    @staticmethod
    def distress(task: TaskData, n: int) -> int | None:
        return int_in(task.get(f"distress{n}"), RATING)

    def is_complete(self, task: TaskData) -> bool:
        for n in ALL:
            f = self.freq(task, n)
            if f is None or (f > 1 and self.distress(task, n) is None):
                return False
            if task.get(f"distress{n}") is not None and self.distress(task, n) is None:
                return False
        return True

    def scores(self, task: TaskData, numbers: tuple[int, ...]) -> Scores:
        f_sum = f_n = d_sum = d_n = d_extra = 0
        for n in numbers:
            f = self.freq(task, n)
            if f is None:
                d_extra += 1  # reference: unanswered frequency adds 1 to the distress sum
                continue
            f_sum += f
            f_n += 1
            if f == 1:
                d_sum += 1
                d_n += 1
            else:
                d = self.distress(task, n)
                if d is not None:
                    d_sum += d
                    d_n += 1
        return f_sum, d_sum + d_extra, _ratio(f_sum, f_n), _ratio(d_sum, d_n)

    def summaries(self, task: TaskData) -> list[Summary]:
        out: list[Summary] = []
        weighted: list[Summary] = []
        for label, numbers, names in DIMENSIONS:
            f_sum, d_sum, f_wt, d_wt = self.scores(task, numbers)
            k = len(numbers)
            out.append(Summary(names[0], f_sum, f"{label}: sum of frequency", 4 * k))
            out.append(Summary(names[1], d_sum, f"{label}: sum of distress", 4 * k))
            weighted.append(
                Summary(
                    names[2], f_wt, f"{label}: mean frequency of answered items", 4, kind="float"
                )  # fmt: skip
            )
            weighted.append(
                Summary(
                    names[3], d_wt, f"{label}: mean distress of rated items", 4, kind="float"
                )  # fmt: skip
            )
        return out + weighted

    def clinical_summary(self, task: TaskData) -> str:
        parts = []
        for label, numbers, _ in DIMENSIONS[1:]:
            _, _, f_wt, d_wt = self.scores(task, numbers)
            freq = "—" if f_wt is None else f"{f_wt:.2f}"
            dist = "—" if d_wt is None else f"{d_wt:.2f}"
            parts.append(f"{label.lower()} frequency {freq} (distress {dist})")
        if not self.is_complete(task):
            parts.append("incomplete")
        return f"{self.shortname}: weighted " + ", ".join(parts)

    def body_html(self, task: TaskData) -> Markup:
        rows: list[tuple[h.HtmlCell, ...]] = []
        for n in ALL:
            dim = "positive" if n in POSITIVE else "negative" if n in NEGATIVE else "depressive"
            rows.append(
                (
                    task.xstring(f"q{n}", f"Experience {n}"),
                    dim,
                    h.answer(task.get(f"frequency{n}"), FREQUENCY),
                    h.answer(task.get(f"distress{n}"), DISTRESS),
                )
            )
        return h.section(
            "Questions and answers",
            h.table(
                rows,
                header=("Question", "Dimension", "Frequency", "Distress"),
                css_class="copse-answers",
            ),
        )


TASKS = (Cape42(),)
