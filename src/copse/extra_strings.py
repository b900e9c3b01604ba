"""Loading CamCOPS-format "extra strings" XML files (spec policies.md §7).

Extra strings are the task texts (questions, answer labels, instructions) that
the tablet fetches with ``get_extra_strings``.  The file format is::

    <resources>
        <task name="phq9">                <!-- default locale -->
            <string name="q1">Little interest ...</string>
        </task>
        <task name="phq9" locale="da_DK">  <!-- a translation -->
            <string name="q1">...</string>
        </task>
    </resources>

Rules we follow from the reference:

* files are read in sorted order;
* only ``task`` elements with a ``name`` and ``string`` elements with a
  ``name`` count;
* the locale comes from the *task* element's ``locale`` attribute and is
  ``""`` when absent;
* a value is the element's text including any inline markup (serialized child
  elements and their tails), stripped of surrounding whitespace, then
  backslash-unescaped (``\\n`` to LF, ``\\r`` to CR, ``\\X`` to ``X``); raw
  newlines inside the text are kept;
* a later (task, name, locale) overwrites an earlier one but keeps the
  position where it was first seen, so the result order is "first seen in the
  sorted files", which is deterministic.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from copse.wire.values import unescape_newlines

DEFAULT_EXTRA_STRINGS_DIR = Path(__file__).resolve().parent / "data" / "extra_strings"
"""The folder of sample strings shipped with copse, used when none is configured."""

CORE_TASK_NAME = "camcops"
"""The task name holding the core CamCOPS strings; the reference insists on it."""

NO_FILES_MESSAGE = "No CamCOPS extra string files specified; config is misconfigured; aborting"
NO_CORE_STRINGS_MESSAGE = (
    "Extra string files do not contain core CamCOPS strings; config is misconfigured; aborting"
)

ExtraString = tuple[str, str, str, str]
"""(task, name, language, value)."""


def _element_text(elem: ET.Element) -> str:
    """The text of an element including inline child markup, as one string."""
    parts = [elem.text or ""]
    for child in elem:
        # tostring() serializes the child *and its tail*.
        parts.append(ET.tostring(child, encoding="unicode"))
    return "".join(parts)


def parse_extra_strings_file(path: Path) -> list[ExtraString]:
    """Parse one extra-strings XML file into (task, name, language, value) tuples, in file order.

    Raises ValueError naming the file if it cannot be read or is not a
    ``<resources>`` document.
    """
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise ValueError(f"Malformed extra strings file {str(path)!r}: {exc}") from None
    except OSError as exc:
        raise ValueError(f"Cannot read extra strings file {str(path)!r}: {exc}") from None
    if root.tag != "resources":
        raise ValueError(
            f"Malformed extra strings file {str(path)!r}: root element is "
            f"<{root.tag}>, expected <resources>"
        )
    result: list[ExtraString] = []
    for task in root.findall("task"):
        task_name = task.get("name")
        if not task_name:
            continue
        locale = task.get("locale") or ""
        for string in task.findall("string"):
            name = string.get("name")
            if not name:
                continue
            value = unescape_newlines(_element_text(string).strip())
            result.append((task_name, name, locale, value))
    return result


def find_extra_string_files(folder: Path) -> list[Path]:
    """The ``*.xml`` files directly inside ``folder``, sorted by name."""
    if not folder.is_dir():
        raise ValueError(f"Extra strings folder does not exist: {str(folder)!r}")
    return sorted(p for p in folder.glob("*.xml") if p.is_file())


def load_extra_strings(
    folder: Path | None = None,
    *,
    require_core: bool = False,
) -> list[ExtraString]:
    """Load every extra string from the XML files in ``folder``.

    ``folder`` None means the sample folder shipped with copse.  Returns
    (task, name, language, value) tuples, one per (task, name, language),
    in first-seen order over the sorted files, later definitions winning.

    With ``require_core``, apply the reference's start-up checks: there must
    be at least one file and a ``camcops`` task somewhere (ValueError with the
    reference's messages otherwise).
    """
    paths = find_extra_string_files(folder if folder is not None else DEFAULT_EXTRA_STRINGS_DIR)
    if require_core and not paths:
        raise ValueError(NO_FILES_MESSAGE)
    merged: dict[tuple[str, str, str], str] = {}
    for path in paths:
        for task, name, locale, value in parse_extra_strings_file(path):
            merged[(task, name, locale)] = value
    if require_core and not any(key[0] == CORE_TASK_NAME for key in merged):
        raise ValueError(NO_CORE_STRINGS_MESSAGE)
    return [(task, name, locale, value) for (task, name, locale), value in merged.items()]
