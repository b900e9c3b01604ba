"""Tests for copse.extra_strings (policies.md §7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from copse.extra_strings import (
    DEFAULT_EXTRA_STRINGS_DIR,
    NO_CORE_STRINGS_MESSAGE,
    NO_FILES_MESSAGE,
    load_extra_strings,
    parse_extra_strings_file,
)
from copse.wire.reply import select_reply


def write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n', encoding="utf-8")
    return path


def test_basic_format(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.xml",
        """<resources>
          <task name="demo">
            <string name="plain">  Hello, world  </string>
            <string name="escaped">Line one\\nLine two\\rCR \\\\ back \\t</string>
            <string name="markup">Some <b>bold</b> and <i>italic &amp; more</i> text</string>
            <string name="multiline">
                first
                second
            </string>
            <string>no name: ignored</string>
            <string name="">empty name: ignored</string>
            <string name="empty"></string>
            <string name="quote">it's "quoted" &lt;x&gt;</string>
          </task>
          <task><string name="x">task without a name: ignored</string></task>
          <task name="demo" locale="da_DK">
            <string name="plain">Hej</string>
          </task>
        </resources>""",
    )
    rows = load_extra_strings(tmp_path)
    assert rows == [
        ("demo", "plain", "", "Hello, world"),
        ("demo", "escaped", "", "Line one\nLine two\rCR \\ back t"),
        ("demo", "markup", "", "Some <b>bold</b> and <i>italic &amp; more</i> text"),
        ("demo", "multiline", "", "first\n                second"),
        ("demo", "empty", "", ""),
        ("demo", "quote", "", 'it\'s "quoted" <x>'),
        ("demo", "plain", "da_DK", "Hej"),
    ]


def test_sorted_files_later_overwrite_keeps_first_position(tmp_path: Path) -> None:
    write(
        tmp_path,
        "b.xml",
        '<resources><task name="t"><string name="n2">B2</string>'
        '<string name="n1">B1</string></task></resources>',
    )
    write(
        tmp_path,
        "a.xml",
        '<resources><task name="t"><string name="n1">A1</string>'
        '<string name="n1">A1 again</string></task></resources>',
    )
    write(tmp_path, "c.txt", "not xml, and not *.xml")
    assert load_extra_strings(tmp_path) == [
        ("t", "n1", "", "B1"),
        ("t", "n2", "", "B2"),
    ]


def test_malformed_file_is_named(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.xml", "<resources><task name='t'>")
    with pytest.raises(ValueError) as info:
        load_extra_strings(tmp_path)
    assert str(bad) in str(info.value)


def test_wrong_root_is_named(tmp_path: Path) -> None:
    bad = write(tmp_path, "root.xml", "<strings/>")
    with pytest.raises(ValueError) as info:
        parse_extra_strings_file(bad)
    assert str(bad) in str(info.value)
    assert "<resources>" in str(info.value)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        load_extra_strings(tmp_path / "nope")


def test_empty_folder_and_core_checks(tmp_path: Path) -> None:
    assert load_extra_strings(tmp_path) == []
    with pytest.raises(ValueError) as info:
        load_extra_strings(tmp_path, require_core=True)
    assert str(info.value) == NO_FILES_MESSAGE
    write(
        tmp_path,
        "a.xml",
        '<resources><task name="t"><string name="n">v</string></task></resources>',
    )
    with pytest.raises(ValueError) as info:
        load_extra_strings(tmp_path, require_core=True)
    assert str(info.value) == NO_CORE_STRINGS_MESSAGE
    write(
        tmp_path,
        "b.xml",
        '<resources><task name="camcops"><string name="n">v</string></task></resources>',
    )
    assert len(load_extra_strings(tmp_path, require_core=True)) == 2


def test_shipped_sample() -> None:
    assert (DEFAULT_EXTRA_STRINGS_DIR / "sample_phq9.xml").is_file()
    rows = load_extra_strings(None, require_core=True)
    assert rows == load_extra_strings(DEFAULT_EXTRA_STRINGS_DIR)
    keys = {(t, n, lang) for t, n, lang, _ in rows}
    assert len(keys) == len(rows)
    assert ("phq9", "q1", "") in keys
    assert ("phq9", "a0", "da_DK") in keys
    instructions = [v for t, n, _, v in rows if (t, n) == ("phq9", "instructions")]
    assert instructions and "\n" in instructions[0]


def test_rows_feed_select_reply() -> None:
    pairs = dict(select_reply(["task", "name", "language", "value"], load_extra_strings(None)))
    assert pairs["nfields"] == "4"
    assert int(pairs["nrecords"]) >= 1
    assert all("\n" not in v for v in pairs.values())
