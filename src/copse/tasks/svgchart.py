"""Tiny server-rendered SVG charts for task views (trial-by-trial results).

The experimental tasks' views show how performance changed over trials or
stages. A chart drawn on the server as inline SVG needs no script and no
chart library in the browser, and — like every view — is built only from
escaped values: numbers are formatted by this module, and every label passes
through :class:`markupsafe.Markup` formatting, which escapes it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup

WIDTH = 480
HEIGHT = 220
MARGIN_LEFT = 48
MARGIN_RIGHT = 12
MARGIN_TOP = 24
MARGIN_BOTTOM = 36
PLOT_W = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
PLOT_H = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM


def _num(value: float) -> str:
    """A coordinate or tick label as plain text (never markup)."""
    return f"{value:.4g}" if value != int(value) else str(int(value))


def _scale(value: float, lo: float, hi: float, length: float) -> float:
    return 0.0 if hi == lo else (value - lo) / (hi - lo) * length


def _frame(title: str, x_label: str, y_label: str, y_lo: float, y_hi: float) -> list[Markup]:
    bottom = MARGIN_TOP + PLOT_H
    return [
        Markup('<text x="{}" y="16" class="copse-chart-title">{}</text>').format(
            MARGIN_LEFT, title
        ),
        Markup('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="black"/>').format(
            MARGIN_LEFT, MARGIN_TOP, MARGIN_LEFT, bottom
        ),
        Markup('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="black"/>').format(
            MARGIN_LEFT, bottom, MARGIN_LEFT + PLOT_W, bottom
        ),
        Markup('<text x="{}" y="{}" text-anchor="end">{}</text>').format(
            MARGIN_LEFT - 4, bottom, _num(y_lo)
        ),
        Markup('<text x="{}" y="{}" text-anchor="end">{}</text>').format(
            MARGIN_LEFT - 4, MARGIN_TOP + 8, _num(y_hi)
        ),
        Markup('<text x="{}" y="{}" text-anchor="middle">{}</text>').format(
            MARGIN_LEFT + PLOT_W // 2, HEIGHT - 4, x_label
        ),
        Markup(
            '<text x="12" y="{}" transform="rotate(-90 12 {})" text-anchor="middle">{}</text>'
        ).format(MARGIN_TOP + PLOT_H // 2, MARGIN_TOP + PLOT_H // 2, y_label),
    ]


def _svg(parts: list[Markup], title: str) -> Markup:
    return Markup(
        '<svg class="copse-chart" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" '
        'viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>'
    ).format(WIDTH, HEIGHT, WIDTH, HEIGHT, title, Markup("").join(parts))


def _range(values: Sequence[float], lo: float | None, hi: float | None) -> tuple[float, float]:
    a = min(values) if lo is None else lo
    b = max(values) if hi is None else hi
    if b <= a:
        b = a + 1.0
    return a, b


def line_chart(
    points: Sequence[tuple[float, float]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    y_min: float | None = None,
    y_max: float | None = None,
) -> Markup:
    """Points joined by a line (e.g. intensity by trial); empty markup if no finite point."""
    pts = [(x, y) for x, y in points if math.isfinite(x) and math.isfinite(y)]
    if not pts:
        return Markup("")
    x_lo, x_hi = _range([p[0] for p in pts], None, None)
    y_lo, y_hi = _range([p[1] for p in pts], y_min, y_max)
    coords = [
        (
            MARGIN_LEFT + _scale(x, x_lo, x_hi, PLOT_W),
            MARGIN_TOP + PLOT_H - _scale(min(max(y, y_lo), y_hi), y_lo, y_hi, PLOT_H),
        )
        for x, y in pts
    ]
    path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
    parts = _frame(title, x_label, y_label, y_lo, y_hi)
    parts.append(Markup('<polyline fill="none" stroke="#1f5fa8" points="{}"/>').format(path))
    parts.extend(
        Markup('<circle cx="{:.1f}" cy="{:.1f}" r="2.5" fill="#1f5fa8"/>').format(cx, cy)
        for cx, cy in coords
    )
    return _svg(parts, title)


def bar_chart(
    bars: Sequence[tuple[str, float]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    y_max: float | None = None,
) -> Markup:
    """Labelled bars from zero (e.g. errors per stage); empty markup if none."""
    data = [(label, v) for label, v in bars if math.isfinite(v)]
    if not data:
        return Markup("")
    y_lo, y_hi = _range([0.0, *(max(v, 0.0) for _, v in data)], 0.0, y_max)
    slot = PLOT_W / len(data)
    parts = _frame(title, x_label, y_label, y_lo, y_hi)
    for i, (label, value) in enumerate(data):
        h = _scale(min(max(value, 0.0), y_hi), y_lo, y_hi, PLOT_H)
        x = MARGIN_LEFT + i * slot + slot * 0.15
        parts.append(
            Markup(
                '<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="#1f5fa8">'
                "<title>{}: {}</title></rect>"
            ).format(x, MARGIN_TOP + PLOT_H - h, slot * 0.7, h, label, _num(value))
        )
        parts.append(
            Markup('<text x="{:.1f}" y="{}" text-anchor="middle" font-size="10">{}</text>').format(
                x + slot * 0.35, MARGIN_TOP + PLOT_H + 12, label
            )
        )
    return _svg(parts, title)


__all__ = ["bar_chart", "line_chart"]
