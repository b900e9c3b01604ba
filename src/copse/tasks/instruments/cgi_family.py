"""CGI-I and CGI-SCH (Clinical Global Impression scales).

Sources of the rules:

* CGI-I: Guy W (1976) *ECDEU Assessment Manual for Psychopharmacology*, pp.
  217–222. One clinician rating of global improvement since the start of
  treatment: 1 very much improved … 7 very much worse, 0 not assessed.
  Complete when rated (0–7). The reference computes no scores.
* CGI-SCH: Haro et al. (2003) Acta Psychiatr Scand 107 (Suppl 416):16.
  Severity of positive, negative, depressive, cognitive and overall symptoms
  (1 normal … 7 among the most severely ill) and the degree of change in
  each (1 very much improved … 7 very much worse, 9 not applicable, e.g. at
  a first assessment). Complete when all ten are rated with permitted
  values. The reference computes no scores.
"""

from __future__ import annotations

from copse.tasks.base import Summary, TaskData
from copse.tasks.instruments.cgi import IMPROVEMENT
from copse.tasks.scales import ItemScale

DOMAINS = ("Positive symptoms", "Negative symptoms", "Depressive symptoms",
           "Cognitive symptoms", "Overall severity")  # fmt: skip
SCH_SEVERITY = {
    1: "normal, not ill",
    2: "minimally ill",
    3: "mildly ill",
    4: "moderately ill",
    5: "markedly ill",
    6: "severely ill",
    7: "among the most severely ill",
}
SCH_CHANGE = {
    1: "very much improved",
    2: "much improved",
    3: "minimally improved",
    4: "no change",
    5: "minimally worse",
    6: "much worse",
    7: "very much worse",
    9: "not applicable",
}


class CgiI(ItemScale):
    tablename = "cgi_i"
    items = ("q",)
    permitted = tuple(range(8))
    item_labels = {"q": "Global improvement since the start of treatment"}
    option_labels = IMPROVEMENT

    def summaries(self, task: TaskData) -> list[Summary]:
        return []

    def clinical_summary(self, task: TaskData) -> str:
        rating = self.value(task, "q")
        if rating is None:
            return f"{self.shortname}: not rated"
        return f"{self.shortname}: {rating} ({IMPROVEMENT[rating]})"


class CgiSch(ItemScale):
    tablename = "cgisch"
    items = tuple(f"severity{n}" for n in range(1, 6)) + tuple(f"change{n}" for n in range(1, 6))
    permitted_by_item = {
        **{f"severity{n}": tuple(range(1, 8)) for n in range(1, 6)},
        **{f"change{n}": (*range(1, 8), 9) for n in range(1, 6)},
    }
    item_labels = {
        **{f"severity{n}": f"Severity: {d.lower()}" for n, d in enumerate(DOMAINS, start=1)},
        **{f"change{n}": f"Change: {d.lower()}" for n, d in enumerate(DOMAINS, start=1)},
    }
    option_labels_by_item = {
        **{f"severity{n}": SCH_SEVERITY for n in range(1, 6)},
        **{f"change{n}": SCH_CHANGE for n in range(1, 6)},
    }

    def summaries(self, task: TaskData) -> list[Summary]:
        return []

    def clinical_summary(self, task: TaskData) -> str:
        parts = []
        for n, domain in enumerate(DOMAINS, start=1):
            sev = self.value(task, f"severity{n}")
            chg = self.value(task, f"change{n}")
            sev_text = "?" if sev is None else f"{sev} ({SCH_SEVERITY[sev]})"
            chg_text = "?" if chg is None else SCH_CHANGE[chg]
            parts.append(f"{domain.lower()} {sev_text}, change {chg_text}")
        if not self.is_complete(task):
            parts.append("incomplete")
        return f"{self.shortname}: " + "; ".join(parts)


TASKS = (CgiI(), CgiSch())
