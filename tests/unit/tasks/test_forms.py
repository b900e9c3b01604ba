"""The declarative form helper (copse.tasks.forms), on a made-up form over IRAC's table."""

from __future__ import annotations

from task_test_helpers import td

from copse.tasks.forms import Field, FormTask, Section, code_of

CODES = {"A": "Alpha", "B": "Beta"}


class _Form(FormTask):
    tablename = "irac"
    sections = (
        Section(
            "Only",
            (
                Field("aim", "Aim", CODES, need="present"),
                Field("achieved", "Achieved", need="present", when=("aim", ("B",))),
            ),
        ),
    )
    headline = ("aim",)
    risk_answers = {"aim": (("B",), "aim B chosen")}


FORM = _Form()


def test_code_of_is_exact_for_text_and_lenient_for_integral_numbers() -> None:
    assert code_of("A", CODES) == "A"
    assert code_of("a", CODES) is None
    assert code_of(2.0, {2: "two"}) == 2
    assert code_of("2", {2: "two"}) is None
    assert code_of(None, CODES) is None


def test_requirement_follows_a_text_code() -> None:
    assert FORM.is_complete(td(aim="A")) is True
    assert FORM.is_complete(td(aim="B")) is False  # "achieved" now needed
    assert FORM.is_complete(td(aim="B", achieved=0)) is True
    assert FORM.is_complete(td(aim="C")) is False  # not a permitted code
    assert FORM.is_complete(td()) is False


def test_view_shows_words_and_marks_invalid_codes() -> None:
    assert ">Beta<" in str(FORM.render_html(td(aim="B", achieved=1)))
    html = str(FORM.render_html(td(aim="<i>C</i>")))
    assert "not a permitted answer" in html and "<i>" not in html


def test_one_line_summary_and_flags() -> None:
    assert FORM.clinical_summary(td(aim="A")) == "IRAC: aim: Alpha"
    assert FORM.clinical_summary(td(aim="B")) == "IRAC: aim: Beta; incomplete; aim B chosen"
    assert FORM.clinical_summary(td(aim="x\ny")) == "IRAC: aim: x y (invalid); incomplete"
    assert FORM.clinical_summary(td()) == "IRAC: incomplete"


def test_data_dictionary_lists_codes() -> None:
    assert FORM.column_meaning("irac", "aim") == "Aim (A = Alpha; B = Beta)"
    assert FORM.column_meaning("irac", "achieved") == "Achieved"
