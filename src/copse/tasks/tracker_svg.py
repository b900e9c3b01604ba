"""A tracker chart as server-rendered SVG, plus the text table that goes under it.

Clinicians follow a score over time ("is the PHQ-9 coming down?"); drawing it
on the server means the page needs no JavaScript, prints as it looks and works
in any browser. The functions here are pure (a :class:`TrackerSpec` and points
in, markup out) so they are tested without a database or a web server.

Every point carries its data in attributes (``data-value``, ``data-when``) so
tools and browser tests read the values, not pixels. A value outside the
scale's range (bad data, or a scale the spec got wrong) is drawn at the edge
it passed, marked as clamped, and shown as it is in the table: the chart must
not hide it and must not lie about it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape

from copse.tasks.meta import TrackerSpec, format_number

#: Drawing area, in SVG user units; the SVG scales to its container's width,
#: so at phone width the whole chart shrinks rather than scrolling sideways.
#: A narrow drawing keeps the text legible when a phone shrinks it.
WIDTH = 480
HEIGHT = 260
LEFT = 34
RIGHT = 12
TOP = 12
BOTTOM = 30
FONT = 14
#: The most labelled steps the y axis has (round steps: 1, 2, 5, 10, 20...).
Y_TICKS = 6


@dataclass(frozen=True)
class TrackerPoint:
    """One task's value of a tracked summary; ``value`` None = not scored.

    ``complete`` False marks an incomplete task: its partial total would look
    like an improvement, so it is listed in the table but not charted.
    ``href`` links the point and its table row to the task's page.
    """

    when: datetime
    value: float | None
    href: str | None = None
    complete: bool = True

    @property
    def charted(self) -> bool:
        return self.value is not None and self.complete


def _fmt(value: float) -> str:
    """Coordinates with two decimals at most (smaller SVG, stable tests)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _when_text(when: datetime) -> str:
    """The date people read under the chart and in the table."""
    return f"{when.day} {when.strftime('%b %Y')}"


def _y_ticks(spec: TrackerSpec) -> list[float]:
    """Round labels up the y axis (0, 5, 10 ... for 0–27), plus both ends of the scale."""
    span = spec.y_max - spec.y_min
    if span <= 0:
        return [spec.y_min]
    # Integer scales (nearly all) get integer steps.
    lowest = 0 if float(spec.y_min).is_integer() and float(spec.y_max).is_integer() else -3
    step = next(
        (
            s * 10.0**e
            for e in range(lowest, 7)
            for s in (1, 2, 5)
            if span / (s * 10.0**e) <= Y_TICKS
        ),
        span,
    )
    first = math.ceil(spec.y_min / step) * step
    ticks = [spec.y_min] if first - spec.y_min >= step / 2 else []
    n = 0
    while first + n * step <= spec.y_max + 1e-9:
        ticks.append(round(first + n * step, 6))
        n += 1
    if spec.y_max - ticks[-1] >= step / 2:
        ticks.append(spec.y_max)
    elif ticks[-1] != spec.y_max:  # too close to label both: the scale's end wins
        ticks[-1] = spec.y_max
    return ticks


class _Scale:
    """Maps (time, value) onto the drawing area."""

    def __init__(self, spec: TrackerSpec, times: Sequence[datetime]) -> None:
        self.spec = spec
        self.t0 = min(times).timestamp() if times else 0.0
        self.t1 = max(times).timestamp() if times else 0.0

    def x(self, when: datetime) -> float:
        inner = WIDTH - LEFT - RIGHT
        if self.t1 <= self.t0:
            return LEFT + inner / 2
        return LEFT + inner * (when.timestamp() - self.t0) / (self.t1 - self.t0)

    def y(self, value: float) -> float:
        inner = HEIGHT - TOP - BOTTOM
        lo, hi = self.spec.y_min, self.spec.y_max
        if hi <= lo:
            return TOP + inner / 2
        v = min(max(value, lo), hi)
        return TOP + inner * (hi - v) / (hi - lo)


def is_clamped(spec: TrackerSpec, value: float) -> bool:
    """Whether a value lies outside the scale's range (drawn at the edge)."""
    return value < spec.y_min or value > spec.y_max


def render_tracker_svg(spec: TrackerSpec, points: Sequence[TrackerPoint], chart_id: str) -> Markup:
    """The chart of one tracked summary; ``chart_id`` must be unique on the page.

    Points are drawn in time order whatever order they come in; points
    without a value or of incomplete tasks are left out of the chart (the
    table lists them).
    """
    scored = sorted((p for p in points if p.charted), key=lambda p: p.when)
    scale = _Scale(spec, [p.when for p in scored])
    cid = escape(chart_id)
    title = escape(spec.label)
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tracker" id="{cid}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" preserveAspectRatio="xMidYMid meet" '
        f'role="img" aria-labelledby="{cid}-title" data-summary="{escape(spec.summary)}" '
        f'data-y-min="{_fmt(spec.y_min)}" data-y-max="{_fmt(spec.y_max)}" '
        f'data-points="{len(scored)}">',
        f'<title id="{cid}-title">{title}</title>',
    ]
    right = WIDTH - RIGHT
    bottom = HEIGHT - BOTTOM
    # Axes and the y ticks of the scale's range.
    out.append(
        f'<rect class="plot" x="{LEFT}" y="{TOP}" width="{right - LEFT}" '
        f'height="{bottom - TOP}" fill="none" stroke="#999"/>'
    )
    for tick in _y_ticks(spec):
        y = _fmt(scale.y(tick))
        out.append(
            f'<text class="ytick" x="{LEFT - 6}" y="{y}" text-anchor="end" '
            f'dominant-baseline="middle" font-size="{FONT}">{escape(format_number(tick))}</text>'
        )
    # Cut-offs: a dashed line at each threshold, labelled just above it at the
    # right (with a white halo, so a point or line behind stays readable).
    for c in spec.cutoffs:
        if not spec.y_min <= c.value <= spec.y_max:
            continue
        y = _fmt(scale.y(c.value))
        label = escape(f"≥ {format_number(c.value)} {c.label}")
        out.append(
            f'<g class="cutoff" data-value="{_fmt(c.value)}" data-label="{escape(c.label)}">'
            f'<line x1="{LEFT}" y1="{y}" x2="{right}" y2="{y}" stroke="#c60" '
            f'stroke-dasharray="4 3"/>'
            f'<text x="{right - 3}" y="{_fmt(scale.y(c.value) - 3)}" text-anchor="end" '
            f'font-size="{FONT - 2}" fill="#a50" stroke="#fff" stroke-width="3" '
            f'paint-order="stroke">{label}</text></g>'
        )
    if scored:
        coords = [(scale.x(p.when), scale.y(p.value or 0.0)) for p in scored]
        if len(coords) > 1:
            path = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in coords)
            out.append(
                f'<polyline class="trend" points="{path}" fill="none" stroke="#036" '
                f'stroke-width="2"/>'
            )
        for p, (px, py) in zip(scored, coords, strict=True):
            assert p.value is not None
            clamped = is_clamped(spec, p.value)
            text = escape(
                f"{_when_text(p.when)}: {format_number(p.value)}"
                + (" (outside the scale)" if clamped else "")
            )
            mark = ' data-clamped="1"' if clamped else ""
            point = (
                f'<circle class="point{" clamped" if clamped else ""}" cx="{_fmt(px)}" '
                f'cy="{_fmt(py)}" r="5" fill="{"#fff" if clamped else "#036"}" stroke="#036" '
                f'stroke-width="2" data-value="{escape(format_number(p.value))}" '
                f'data-when="{escape(p.when.isoformat())}"'
                f"{mark}><title>{text}</title></circle>"
            )
            if p.href:
                point = f'<a href="{escape(p.href)}">{point}</a>'
            out.append(point)
        first, last = scored[0].when, scored[-1].when
        labels = [(first, "start" if last != first else "middle")]
        if last != first:
            labels.append((last, "end"))
        for when, anchor in labels:
            out.append(
                f'<text class="xtick" x="{_fmt(scale.x(when))}" y="{bottom + 18}" '
                f'text-anchor="{anchor}" font-size="{FONT}">{escape(_when_text(when))}</text>'
            )
    else:
        out.append(
            f'<text class="empty" x="{(LEFT + right) // 2}" y="{(TOP + bottom) // 2}" '
            f'text-anchor="middle" font-size="{FONT}">No scored values</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))


def band_of(spec: TrackerSpec, value: float) -> str:
    """The label of the highest cut-off a value reaches ("" below them all)."""
    label = ""
    for c in sorted(spec.cutoffs, key=lambda c: c.value):
        if value >= c.value:
            label = c.label
    return label


def render_tracker_table(spec: TrackerSpec, points: Sequence[TrackerPoint]) -> Markup:
    """The same values as a table, for screen readers, printing and copying."""
    rows: list[str] = []
    for p in sorted(points, key=lambda p: p.when):
        when = escape(_when_text(p.when))
        if p.href:
            when = Markup(f'<a href="{escape(p.href)}">{when}</a>')
        if p.value is None:
            value, band = "not scored", ""
        else:
            value = format_number(p.value)
            if is_clamped(spec, p.value):
                value += " (outside the scale)"
            band = band_of(spec, p.value)
            if not p.complete:
                value += " (incomplete, not charted)"
                band = ""
        rows.append(
            f'<tr><td data-label="Date"><time datetime="{escape(p.when.isoformat())}">'
            f'{when}</time></td><td data-label="Value">{escape(value)}</td>'
            f'<td data-label="Band">{escape(band)}</td></tr>'
        )
    body = "".join(rows) or '<tr><td colspan="3">No tasks.</td></tr>'
    return Markup(
        f'<table class="grid tracker-values"><caption>{escape(spec.label)}</caption>'
        f'<thead><tr><th scope="col">Date</th><th scope="col">Value '
        f"({escape(format_number(spec.y_min))}–{escape(format_number(spec.y_max))})</th>"
        f'<th scope="col">Band</th></tr></thead><tbody>{body}</tbody></table>'
    )
