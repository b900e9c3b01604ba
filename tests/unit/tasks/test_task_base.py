"""The building blocks: value readers, HTML helpers, bands, TaskData."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup
from task_test_helpers import XSS, fill

from copse.tasks import html as h
from copse.tasks.base import BlobInfo, Summary, TaskData, seconds_to_first_finish
from copse.tasks.scales import band, numbered
from copse.tasks.values import (
    as_float,
    as_int,
    int_in,
    int_in_range,
    is_nonempty_text,
    parse_iso_datetime,
    qfields,
    sum_valid,
    yes_no,
)


def test_as_int() -> None:
    assert as_int(3) == 3
    assert as_int(True) == 1
    assert as_int(2.0) == 2
    assert as_int(2.5) is None
    assert as_int("3") is None
    assert as_int(None) is None
    assert as_int(math.nan) is None
    assert as_int(math.inf) is None


def test_as_float() -> None:
    assert as_float(2) == 2.0
    assert as_float(1.5) == 1.5
    assert as_float("1.5") is None
    assert as_float(math.nan) is None


def test_ranges_and_sets() -> None:
    assert int_in_range(3, 0, 3) == 3
    assert int_in_range(4, 0, 3) is None
    assert int_in_range(-1, 0, 3) is None
    assert int_in(2, (0, 2, 4)) == 2
    assert int_in(1, (0, 2, 4)) is None
    assert sum_valid({"a": 1, "b": 9, "c": None, "d": "x"}, "abcd", 0, 3) == 1


def test_text_and_yes_no() -> None:
    assert is_nonempty_text("x")
    assert not is_nonempty_text("  \n")
    assert not is_nonempty_text(None)
    assert not is_nonempty_text(5)
    assert yes_no("y") == "Y"
    assert yes_no(" N ") == "N"
    assert yes_no("maybe") is None
    assert yes_no(1) is None


def test_qfields_and_numbered() -> None:
    assert qfields("q", 1, 3) == ("q1", "q2", "q3")
    assert qfields("x", 2, 3, "_s") == ("x2_s", "x3_s")
    assert numbered(["a", "b"]) == {"q1": "1. a", "q2": "2. b"}


def test_band_boundaries() -> None:
    cut = ((5, "Mild"), (10, "Moderate"))
    assert band(None, cut, "None") is None
    assert band(4.99, cut, "None") == "None"
    assert band(5, cut, "None") == "Mild"
    assert band(9, cut, "None") == "Mild"
    assert band(10, cut, "None") == "Moderate"


def test_fill_helper() -> None:
    assert sum(fill(qfields("q", 1, 9), 19, 3).values()) == 19


def test_iso_parsing_and_first_finish() -> None:
    assert parse_iso_datetime("2024-01-01T00:00:00Z") is not None
    assert parse_iso_datetime("garbage") is None
    assert parse_iso_datetime(5) is None
    base = {
        "when_created": "2024-01-01T10:00:00.000+00:00",
        "when_firstexit": "2024-01-01T11:00:00.500+01:00",
    }
    assert seconds_to_first_finish({**base, "firstexit_is_finish": 1}) == 0.5
    assert seconds_to_first_finish({**base, "firstexit_is_finish": 0}) is None
    assert seconds_to_first_finish({**base, "firstexit_is_finish": None}) is None
    naive_end = {**base, "when_firstexit": "2024-01-01T11:00:00", "firstexit_is_finish": 1}
    assert seconds_to_first_finish(naive_end) is None
    assert seconds_to_first_finish({"firstexit_is_finish": 1}) is None


def test_taskdata_defaults_and_patient_sex() -> None:
    t = TaskData(row={"q1": 1})
    assert t.get("q1") == 1 and t.get("q2") is None
    assert t.children("anything") == ()
    assert t.patient_sex is None
    assert TaskData(row={}, patient={"sex": "f"}).patient_sex == "F"
    assert TaskData(row={}, patient={"sex": None}).patient_sex is None


def test_value_html() -> None:
    assert h.value_html(None) == h.NULL_HTML
    assert h.value_html(1, "bool") == "Yes"
    assert h.value_html(0, "bool") == "No"
    assert h.value_html(2, "bool") == "2"
    assert h.value_html(True) == "Yes"
    assert h.value_html(1.25) == "1.25"
    assert h.value_html(70.0) == "70.0"
    assert h.value_html("a\nb") == "a<br>b"
    assert h.value_html(b"abc") == "(binary data, 3 bytes)"
    assert h.value_html(XSS) == "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"


def test_answer() -> None:
    labels = {0: "no", 1: "yes"}
    assert h.answer(1, labels) == "1 — yes"
    assert h.answer(1.0, labels) == "1 — yes"
    assert h.answer(None, labels) == h.NULL_HTML
    assert "not a permitted answer" in h.answer(7, labels)
    assert h.answer("y", {"Y": "yes"}) == "Y — yes"
    bad = h.answer(XSS, labels)
    assert "<script" not in bad and "not a permitted answer" in bad


def test_summary_table() -> None:
    html = h.summary_table(
        True,
        [
            Summary("total", 12, "Total <score>", 27),
            Summary("flag", False, "F"),
            Summary("x", 1.5, "X"),
        ],
    )
    assert "12 / 27" in html
    assert "Total &lt;score&gt;" in html
    assert "<td>No</td>" in html
    assert "1.50" in html
    assert "copse-complete" in html
    assert "copse-unknown" in h.summary_table(None, [])
    assert "copse-incomplete" in h.summary_table(False, [])


def test_blob_html_image_with_url() -> None:
    blobs = {3: BlobInfo(mimetype="image/jpeg", filename="a.jpg", size=1, url="/blob/3?x=1&y=2")}
    assert (
        h.blob_html(3, blobs, "photo")
        == '<img class="copse-blob" src="/blob/3?x=1&amp;y=2" alt="photo">'
    )


def test_blob_html_rotation() -> None:
    blobs = {3: BlobInfo(mimetype="image/png", url="https://example.org/b", rotation_deg_cw=90)}
    assert 'style="transform: rotate(90deg);"' in h.blob_html(3, blobs)


def test_blob_html_other_cases() -> None:
    assert h.blob_html(None, {}) == h.NULL_HTML
    assert "not available" in h.blob_html(9, {})
    assert "not available" in h.blob_html("9", {9: BlobInfo()})
    no_url = h.blob_html(1, {1: BlobInfo(mimetype="image/png", filename="x.png")})
    assert "not viewable" in no_url and "<img" not in no_url
    pdf = h.blob_html(1, {1: BlobInfo(mimetype="application/pdf", filename=XSS, url="/b/1")})
    assert pdf.startswith('<a class="copse-blob" href="/b/1">') and "<script" not in pdf


def test_blob_html_rejects_script_urls() -> None:
    for url in (
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<b>x</b>",
        "vbscript:x",
    ):
        html = h.blob_html(1, {1: BlobInfo(mimetype="image/png", url=url)})
        assert "<img" not in html and "src=" not in html
        assert "alert" not in html and "<b>" not in html


def test_table_escapes_headers_and_cells() -> None:
    html = h.table([(XSS, Markup("<b>ok</b>"))], header=(XSS,))
    assert "<b>ok</b>" in html
    assert "<script" not in html


@given(st.text())
def test_value_html_never_emits_raw_markup(text: str) -> None:
    out = str(h.value_html(text))
    assert "<" not in out.replace("<br>", "")
    assert '"' not in out and "'" not in out


@given(st.one_of(st.none(), st.integers(), st.floats(), st.text(), st.booleans(), st.binary()))
def test_answer_never_raises(value: object) -> None:
    h.answer(value, {0: "zero", "Y": "yes"})
    h.value_html(value, "int")
