"""Hypothesis strategies for hostile client-API requests, and the properties every reply must have.

Properties:

* no 5xx status;
* no traceback in any reply;
* the reply always has ``success``, ``session_id`` and ``session_token`` --
  except the reference's fixed ``400 Not a valid CamCOPS API request`` reply
  for a request that cannot be set up (bad version, reserved device or user
  name, wire.md §1.5), which by design carries no keys;
* a refused request (``success`` is not 1) changes nothing in the database
  outside the login/audit bookkeeping (``tests.support.snapshot``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hypothesis.strategies as st

from copse.api.endpoint import NOT_VALID_REQUEST
from copse.api.operations import OPERATIONS, load_all
from copse.schema.registry import TABLES
from copse.wire.values import encode_client_csv
from tests.reliability.helpers import DEVICE, VERSION, WHEN

load_all()
OPERATION_NAMES = sorted(OPERATIONS)
CORPUS_DIR = Path(__file__).resolve().parent / "corpus"

SQL_FRAGMENTS = [
    "'; DROP TABLE patient; --",
    '" OR 1=1 --',
    "patient; DELETE FROM _security_users",
    "x' UNION SELECT password FROM _security_users --",
    "`id`",
    "[id]",
    "id--",
    "id/*",
    "*/",
    "_pk",
    "_era",
    "_device_id",
    "_current",
    "ID",
    "id ",
    " id",
    "id,id",
    "\\",
    "%",
    "%%",
    "''",
    "\x00",
    "id\x00",
    "NULL",
    "null",
    "1=1",
    "0x41",
    "X'41'",
    "64'QQ=='",
    "é",
    "🙂",
    "\u202e",
    "a" * 300,
    "\r\n",
    "\n",
    "patient_idnum",
    "blobs",
    "sqlite_master",
    "information_schema.tables",
]
TABLE_NAMES = sorted(TABLES)
SOME_TABLES = [
    "patient",
    "patient_idnum",
    "blobs",
    "phq9",
    "ref_satis_gen",
    "photosequence",
    "photosequence_photos",
    "progressnote",
    "bmi",
]


def _columns(table: str) -> list[str]:
    return [c.name for c in TABLES[table].columns]


texts = st.one_of(
    st.sampled_from(SQL_FRAGMENTS),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
)
names = st.one_of(
    st.sampled_from(SQL_FRAGMENTS), st.sampled_from(TABLE_NAMES), st.text(max_size=30)
)
table_names = st.one_of(st.sampled_from(SOME_TABLES), st.sampled_from(TABLE_NAMES), names)

huge_ints = st.one_of(
    st.integers(),
    st.integers(min_value=2**63 - 3, max_value=2**63 + 3),
    st.integers(min_value=-(2**63) - 3, max_value=-(2**63) + 3),
    st.sampled_from([10**400, -(10**400)]),
)
plain_values = st.one_of(
    st.none(),
    huge_ints,
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
    st.binary(max_size=40),
    st.sampled_from([WHEN, "2024-13-45T99:99:99", "yesterday", "0", "1"]),
)


@st.composite
def csv_values(draw: st.DrawFn, n: int | None = None) -> str:
    """An SQL-literal CSV: well-formed (random values) or raw text."""
    if draw(st.booleans()):
        count = n if n is not None else draw(st.integers(0, 8))
        vals = draw(st.lists(plain_values, min_size=count, max_size=count))
        return encode_client_csv(vals)
    return draw(
        st.one_of(
            texts,
            st.sampled_from(
                [
                    "'unterminated",
                    "X'zz'",
                    "64'!!'",
                    "1,,2",
                    ",",
                    "'a''b',",
                    "1e99999",
                    "-",
                    "+",
                    "NULL,NULL",
                    "X'" + "0" * 999 + "'",
                ]
            ),
        )
    )


@st.composite
def plausible_record(draw: st.DrawFn, table: str, cols: list[str]) -> list[Any]:
    out: list[Any] = []
    for c in cols:
        if c == "id":
            out.append(draw(st.one_of(st.integers(1, 5), huge_ints, st.none(), texts)))
        elif c == "when_last_modified" or c == "when_created":
            out.append(draw(st.one_of(st.just(WHEN), plain_values)))
        elif c == "_move_off_tablet":
            out.append(draw(st.one_of(st.sampled_from([0, 1, None]), plain_values)))
        else:
            out.append(draw(plain_values))
    return out


def deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


json_leaf = st.one_of(st.none(), st.booleans(), huge_ints, st.floats(allow_nan=False), texts)
json_values = st.recursive(
    json_leaf,
    lambda ch: st.one_of(st.lists(ch, max_size=4), st.dictionaries(names, ch, max_size=4)),
    max_leaves=12,
)


@st.composite
def json_payloads(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 6))
    if kind == 0:
        return deep_json(draw(st.sampled_from([10, 1000, 100_000])))
    if kind == 1:
        return draw(
            st.sampled_from(
                [
                    "1e999999",
                    "-1e999999",
                    "9" * 5000,
                    "NaN",
                    "Infinity",
                    "{",
                    "[1,",
                    '{"a":1,"a":2}',
                    '"\\ud800"',
                    "null",
                    "[]",
                    "{}",
                    "\x00",
                ]
            )
        )
    if kind == 2:
        return json.dumps(draw(json_values))
    if kind == 3:
        return draw(texts)
    # A dbdata-shaped object with plausible and hostile parts.
    tables = draw(st.lists(table_names, min_size=0, max_size=3, unique=True))
    obj: dict[str, Any] = {}
    for t in tables:
        if t in TABLES and draw(st.booleans()):
            cols = draw(st.lists(st.sampled_from(_columns(t)), max_size=6, unique=True))
            cols = list(dict.fromkeys(["id", "when_last_modified", "_move_off_tablet", *cols]))
            if draw(st.booleans()):
                cols.append(draw(names))
            rows = []
            for _ in range(draw(st.integers(0, 3))):
                rec = draw(plausible_record(t, cols))
                rows.append(
                    {
                        c: (encode_client_csv([v]) if draw(st.integers(0, 9)) else draw(json_leaf))
                        for c, v in zip(cols, rec, strict=True)
                    }
                )
            obj[t] = rows
        else:
            obj[t] = draw(json_values)
    return json.dumps(obj)


@st.composite
def op_fields(draw: st.DrawFn, operation: str) -> dict[str, str]:
    """Operation-specific fields: mostly near-valid, with hostile values mixed in."""
    f: dict[str, str] = {}
    table = draw(table_names)
    cols = _columns(table) if table in TABLES else []
    if operation in ("upload_table", "upload_record", "delete_where_key_not", "which_keys_to_send"):
        f["table"] = table
        f["pkname"] = draw(st.one_of(st.just("id"), names))
    if operation in ("upload_table", "upload_record"):
        chosen = draw(st.lists(st.sampled_from(cols), max_size=6, unique=True)) if cols else []
        fields = list(dict.fromkeys(["id", "when_last_modified", "_move_off_tablet", *chosen]))
        if draw(st.integers(0, 3)) == 0:
            fields.insert(draw(st.integers(0, len(fields))), draw(names))
        f["fields"] = draw(st.one_of(st.just(",".join(fields)), texts))
        if operation == "upload_record":
            n = len(fields) + draw(st.sampled_from([0, 0, 0, -1, 1]))
            f["values"] = draw(
                st.one_of(
                    st.just(encode_client_csv(draw(plausible_record(table, fields))[: max(n, 0)])),
                    csv_values(),
                )
            )
        else:
            n = draw(st.integers(0, 3))
            f["nrecords"] = draw(
                st.one_of(
                    st.just(str(n)),
                    st.sampled_from(
                        ["-1", "1e3", "99999999999999999999", " 2", "+1", "1_0", "x", "0x10", ""]
                    ),
                )
            )
            for i in range(n + draw(st.sampled_from([0, 0, -1, 1]))):
                f[f"record{i}"] = draw(
                    st.one_of(
                        st.builds(lambda r: encode_client_csv(r), plausible_record(table, fields)),
                        csv_values(),
                    )
                )
    if operation in ("delete_where_key_not", "which_keys_to_send"):
        n = draw(st.integers(0, 4))
        f["pkvalues"] = draw(
            st.one_of(st.just(",".join(str(i) for i in range(1, n + 1))), csv_values())
        )
        if operation == "which_keys_to_send":
            m = n + draw(st.sampled_from([0, 0, -1, 1]))
            f["datevalues"] = draw(st.one_of(st.just(",".join([WHEN] * max(m, 0))), csv_values()))
            if draw(st.booleans()):
                f["move_off_tablet_values"] = draw(
                    st.one_of(st.just(",".join(["0"] * max(m, 0))), csv_values())
                )
    if operation == "upload_empty_tables":
        f["tables"] = ",".join(draw(st.lists(table_names, max_size=4)))
    if operation == "upload_entire_database":
        f["finalizing"] = draw(st.sampled_from(["0", "1", "2", "-1", "x", "", "1e9"]))
        payload = draw(json_payloads())
        try:
            obj = json.loads(payload)
            keys = list(obj) if isinstance(obj, dict) else []
        except (ValueError, RecursionError):
            keys = []
        f["pknameinfo"] = draw(
            st.one_of(st.just(json.dumps({k: "id" for k in keys})), json_payloads())
        )
        f["dbdata"] = payload
    if operation == "validate_patients":
        f["patient_info"] = draw(json_payloads())
    if operation == "register":
        f["devicefriendlyname"] = draw(texts)
    if operation == "register_patient":
        f["patient_proquint"] = draw(
            st.one_of(texts, st.just("kidil-sovib-dufob-hivol-nutab-linuj-kivad-nozov-t"))
        )
    return f


@st.composite
def requests(draw: st.DrawFn) -> tuple[bytes, str]:
    """(body, query string) for any operation, with base fields that are mostly valid."""
    from tests.support.api import qt_form_encode

    shape = draw(st.integers(0, 19))
    if shape == 0:  # raw garbage, including invalid UTF-8 and broken escapes
        body = draw(
            st.one_of(
                st.binary(max_size=200),
                st.sampled_from(
                    [
                        b"\xff\xfe",
                        b"%ff%fe=1",
                        b"a=%",
                        b"a=%g1",
                        b"&&&==&",
                        b"=",
                        b"operation=%00",
                        b"a" * 5000,
                    ]
                ),
            )
        )
        return body, draw(st.sampled_from(["", "operation=register", "%ff=1", "a=\x00"]))
    operation = draw(st.sampled_from(OPERATION_NAMES)) if draw(st.integers(0, 7)) else draw(names)
    f = {
        "operation": operation,
        "camcops_version": VERSION,
        "device": DEVICE,
        "user": "alice",
        "password": "alice-password-1",
    }
    if draw(st.integers(0, 5)) == 0:
        key = draw(
            st.sampled_from(
                ["camcops_version", "device", "user", "password", "session_id", "session_token"]
            )
        )
        f[key] = draw(
            st.one_of(
                texts,
                st.sampled_from(
                    ["", "2.0.0", "9.9.9", "2.4.24.1", "server", "system", "99999999999999999999"]
                ),
            )
        )
    f.update(draw(op_fields(operation)))
    if draw(st.integers(0, 9)) == 0:
        f[draw(names)] = draw(texts)
    return qt_form_encode(f), draw(
        st.sampled_from(["", "", "", "operation=get_id_info", "x=1&x=2"])
    )


def check_reply(status: int, body: str) -> None:
    assert status < 500, (status, body)
    assert "Traceback" not in body and 'File "' not in body, body
    if status == 400:
        assert body == NOT_VALID_REQUEST, body
        return
    keys = {line.split(":", 1)[0] for line in body.split("\n") if ":" in line}
    assert {"success", "session_id", "session_token"} <= keys, body


def save_crash(name: str, body: bytes, query: str) -> Path:
    """Keep a failing input as a regression case (tests/reliability/corpus/api/)."""
    d = CORPUS_DIR / "api"
    d.mkdir(parents=True, exist_ok=True)
    p = d / f"{name}.json"
    p.write_text(json.dumps({"body_latin1": body.decode("latin-1"), "query": query}, indent=1))
    return p
