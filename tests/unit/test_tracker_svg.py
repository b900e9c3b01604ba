"""The tracker chart: values in attributes, cut-offs, escaping, edge cases."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from copse.tasks.meta import Cutoff, TrackerSpec
from copse.tasks.tracker_svg import (
    HEIGHT,
    TrackerPoint,
    band_of,
    render_tracker_svg,
    render_tracker_table,
)

SVG = "{http://www.w3.org/2000/svg}"
PHQ9 = TrackerSpec(
    "total",
    "PHQ-9 total",
    0,
    27,
    (
        Cutoff(5, "Mild"),
        Cutoff(10, "Moderate"),
        Cutoff(15, "Moderately severe"),
        Cutoff(20, "Severe"),
    ),
)


def at(day: int, month: int = 1) -> datetime:
    return datetime(2026, month, day, 10, 0, tzinfo=UTC)


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def points_of(root: ET.Element) -> list[ET.Element]:
    return [c for c in root.iter(f"{SVG}circle") if "point" in c.get("class", "")]


def test_values_and_times_are_attributes_in_time_order() -> None:
    pts = [TrackerPoint(at(20), 7), TrackerPoint(at(1), 12), TrackerPoint(at(10), 9.5)]
    root = parse(render_tracker_svg(PHQ9, pts, "c1"))
    circles = points_of(root)
    assert [c.get("data-value") for c in circles] == ["12", "9.5", "7"]
    assert [c.get("data-when") for c in circles] == [
        at(1).isoformat(),
        at(10).isoformat(),
        at(20).isoformat(),
    ]
    assert root.get("data-points") == "3"
    # Later points are further right; higher values are higher up (smaller y).
    xs = [float(c.get("cx", "")) for c in circles]
    ys = [float(c.get("cy", "")) for c in circles]
    assert xs == sorted(xs) and xs[0] < xs[-1]
    assert ys[0] < ys[1] < ys[2]
    line = root.find(f"{SVG}polyline")
    assert line is not None and len(line.get("points", "").split()) == 3


def test_cutoff_lines_at_their_values_with_labels() -> None:
    root = parse(render_tracker_svg(PHQ9, [TrackerPoint(at(1), 0), TrackerPoint(at(2), 27)], "c"))
    cutoffs = [g for g in root.iter(f"{SVG}g") if g.get("class") == "cutoff"]
    assert [(g.get("data-value"), g.get("data-label")) for g in cutoffs] == [
        ("5", "Mild"),
        ("10", "Moderate"),
        ("15", "Moderately severe"),
        ("20", "Severe"),
    ]
    circles = points_of(root)
    y0, y27 = (float(c.get("cy", "")) for c in circles)
    for g in cutoffs:
        line = g.find(f"{SVG}line")
        assert line is not None
        y = float(line.get("y1", ""))
        # Linear between the scale's ends.
        expected = y0 + (y27 - y0) * float(g.get("data-value", "")) / 27
        assert abs(y - expected) < 0.02
        text = g.find(f"{SVG}text")
        assert text is not None and g.get("data-label", "") in (text.text or "")


def test_cutoff_outside_range_is_not_drawn() -> None:
    spec = TrackerSpec("x", "X", 0, 10, (Cutoff(5, "a"), Cutoff(11, "b")))
    root = parse(render_tracker_svg(spec, [TrackerPoint(at(1), 3)], "c"))
    assert [g.get("data-label") for g in root.iter(f"{SVG}g")] == ["a"]


def test_text_is_escaped() -> None:
    evil = '<script>alert("x")</script>&'
    spec = TrackerSpec("s", evil, 0, 10, (Cutoff(5, evil),))
    svg = render_tracker_svg(spec, [TrackerPoint(at(1), 3, href='/t?a=1&b="2"')], 'id"<>')
    assert "<script>" not in svg
    root = parse(svg)  # well-formed despite the hostile text
    assert root.get("id") == 'id"<>'
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == evil
    table = render_tracker_table(spec, [TrackerPoint(at(1), 3, href='/t?a=1&b="2"')])
    assert "<script>" not in table
    assert parse(table).find("caption").text == evil  # type: ignore[union-attr]


def test_empty_chart_says_so() -> None:
    root = parse(render_tracker_svg(PHQ9, [], "c"))
    assert points_of(root) == []
    assert root.find(f"{SVG}polyline") is None
    assert any(t.get("class") == "empty" for t in root.iter(f"{SVG}text"))
    assert "No tasks" in render_tracker_table(PHQ9, [])


def test_one_point_no_line_centred() -> None:
    root = parse(render_tracker_svg(PHQ9, [TrackerPoint(at(3), 12)], "c"))
    (c,) = points_of(root)
    assert c.get("data-value") == "12"
    assert root.find(f"{SVG}polyline") is None


def test_unscored_and_incomplete_points_are_only_in_the_table() -> None:
    pts = [
        TrackerPoint(at(1), 4),
        TrackerPoint(at(2), None),
        TrackerPoint(at(3), 2, complete=False),
        TrackerPoint(at(4), 6),
    ]
    root = parse(render_tracker_svg(PHQ9, pts, "c"))
    assert [c.get("data-value") for c in points_of(root)] == ["4", "6"]
    assert root.get("data-points") == "2"
    table = parse(render_tracker_table(PHQ9, pts))
    cells = [["".join(td.itertext()) for td in tr] for tr in table.iter("tr")][1:]
    assert [row[1] for row in cells] == ["4", "not scored", "2 (incomplete, not charted)", "6"]


def test_out_of_range_values_are_clamped_but_shown() -> None:
    pts = [TrackerPoint(at(1), 40), TrackerPoint(at(2), -3), TrackerPoint(at(3), 27)]
    root = parse(render_tracker_svg(PHQ9, pts, "c"))
    high, low, top = points_of(root)
    assert high.get("data-value") == "40" and high.get("data-clamped") == "1"
    assert low.get("data-value") == "-3" and low.get("data-clamped") == "1"
    assert top.get("data-clamped") is None
    # Drawn at the edges of the plot, never outside the SVG.
    assert high.get("cy") == top.get("cy")
    assert 0 < float(low.get("cy", "")) < HEIGHT
    assert float(low.get("cy", "")) > float(high.get("cy", ""))
    table = render_tracker_table(PHQ9, pts)
    assert "40 (outside the scale)" in table and "-3 (outside the scale)" in table


def test_band_of() -> None:
    assert band_of(PHQ9, 4) == ""
    assert band_of(PHQ9, 10) == "Moderate"
    assert band_of(PHQ9, 27) == "Severe"


def test_links_to_tasks() -> None:
    root = parse(render_tracker_svg(PHQ9, [TrackerPoint(at(1), 3, href="/tasks/phq9/7")], "c"))
    link = root.find(f"{SVG}a")
    assert link is not None and link.get("href") == "/tasks/phq9/7"


def test_y_axis_has_round_labels_and_the_scale_ends() -> None:
    root = parse(render_tracker_svg(PHQ9, [TrackerPoint(at(1), 3)], "c"))
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "ytick"]
    assert labels == ["0", "5", "10", "15", "20", "27"]
    small = TrackerSpec("x", "X", 1, 4)
    root = parse(render_tracker_svg(small, [TrackerPoint(at(1), 3)], "c"))
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "ytick"]
    assert labels == ["1", "2", "3", "4"]
