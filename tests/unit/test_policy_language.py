"""The ID policy language: tokens, grammar, evaluation, validity (policies.md §1)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copse.policy.evaluate import (
    INVALID_POLICY_MESSAGE,
    SYNTAX_INVALID_MESSAGE,
    TABLET_ID_POLICY,
    TABLET_ID_POLICY_TEXT,
    PatientFacts,
    evaluate,
    parse_policy,
    policy_problems,
)
from copse.policy.lexer import Item, PolicyError, Token, TokenKind, tokenize
from copse.policy.parser import MAX_NESTING, Chain, Info, Node, Not, parse_tokens

VALID_IDNUMS = range(1, 11)
DOB = date(1980, 1, 1)

# §1.6: the reference test patient.
BPI = PatientFacts(
    forename="forename",
    surname="surname",
    dob=DOB,
    email="patient@example.com",
    sex="F",
    idnums={1: 1, 10: 3},
)

# ---------------------------------------------------------------------------
# §1.6: the reference unit-test table.
# (policy, syn, valid, m1, m3, crit, compat, bpi)
REFERENCE_TABLE = [
    ("", False, False, False, False, None, False, False),
    ("sex AND (failure", False, False, False, False, None, False, False),
    ("sex AND NOT", False, False, False, False, None, False, False),
    ("OR OR", False, False, False, False, None, False, False),
    ("idnum99", True, False, False, False, None, False, False),
    ("sex AND idnum1", True, True, True, False, 1, True, True),
    ("sex AND NOT idnum1", True, False, False, False, None, False, False),
    ("sex AND NOT idnum2", True, False, False, False, None, False, True),
    ("sex AND NOT idnum1 AND idnum3", True, True, False, True, 3, True, False),
    ("sex AND NOT idnum2 AND idnum10", True, True, False, False, 10, True, True),
    (
        "sex AND NOT idnum1 AND NOT idnum2 AND NOT idnum3",
        True,
        False,
        False,
        False,
        None,
        False,
        False,
    ),
    (
        "sex AND NOT (idnum1 OR idnum2 OR idnum3)",
        True,
        False,
        False,
        False,
        None,
        False,
        False,
    ),
    (
        "NOT (sex OR forename OR surname OR dob OR anyidnum)",
        True,
        False,
        False,
        False,
        None,
        False,
        False,
    ),
    (
        "NOT (sex OR forename OR surname OR dob OR\nidnum1 OR idnum2 OR idnum3)",
        True,
        False,
        False,
        False,
        None,
        False,
        False,
    ),
    (
        "sex AND idnum1 AND otheridnum AND NOT address",
        True,
        True,
        True,
        False,
        None,
        True,
        True,
    ),
    (
        "sex AND idnum1 AND NOT (otheridnum OR forename OR surname OR dob OR "
        "address OR gp OR otherdetails)",
        True,
        True,
        True,
        False,
        1,
        True,
        False,
    ),
    (
        "forename AND surname AND dob AND sex AND anyidnum",
        True,
        True,
        False,
        False,
        None,
        True,
        True,
    ),
    (
        "forename AND surname AND email AND sex AND idnum1",
        True,
        True,
        True,
        False,
        1,
        True,
        True,
    ),
    ("email AND sex AND idnum1", True, True, True, False, 1, True, True),
]


@pytest.mark.parametrize(
    "text,syn,valid,m1,m3,crit,compat,bpi", REFERENCE_TABLE, ids=lambda v: repr(v)
)
def test_reference_table(
    text: str,
    syn: bool,
    valid: bool,
    m1: bool,
    m3: bool,
    crit: int | None,
    compat: bool,
    bpi: bool,
) -> None:
    policy = parse_policy(text)
    assert policy.is_syntactically_valid() is syn
    assert policy.is_valid(VALID_IDNUMS) is valid
    assert policy.is_idnum_mandatory(1, VALID_IDNUMS) is m1
    assert policy.is_idnum_mandatory(3, VALID_IDNUMS) is m3
    assert policy.critical_single_idnum(VALID_IDNUMS) == crit
    assert policy.is_compatible_with_tablet_policy() is compat
    assert policy.satisfied_by(BPI) is bpi


@pytest.mark.parametrize("text", [row[0] for row in REFERENCE_TABLE])
@pytest.mark.parametrize("which", [None, -1, 0])
def test_idnum_never_mandatory_for_silly_types(text: str, which: int | None) -> None:
    assert parse_policy(text).is_idnum_mandatory(which, VALID_IDNUMS) is False


# ---------------------------------------------------------------------------
# §1.7: more worked examples.
P1 = BPI
P2 = PatientFacts(sex="M", idnums={1: 123})
P3 = PatientFacts(sex="X", forename="Jo", surname="Bloggs", dob=DOB)
P4 = PatientFacts(forename="Jo", surname="Bloggs", dob=DOB, idnums={1: 123})
P5 = PatientFacts(sex="F", idnums={2: 456})
P6 = PatientFacts(sex="F", idnums={1: 123, 2: 456})
P7 = PatientFacts(sex="M", forename="", surname="Bloggs", dob=DOB)
P8 = PatientFacts(sex="F", forename="Jo", surname="Bloggs", dob=DOB, email="jo@example.com")
PATIENTS = (P1, P2, P3, P4, P5, P6, P7, P8)

# (policy, syn, valid, crit, "Y"/"n" for P1..P8)
WORKED_EXAMPLES = [
    ("sex AND idnum1", True, True, 1, "YYnnnYnn"),
    ("sex AND anyidnum", True, True, None, "YYnnYYnn"),
    (TABLET_ID_POLICY_TEXT, True, True, None, "YYYnYYnY"),
    ("sex AND forename AND surname AND dob", True, False, None, "YnYnnnnY"),
    ("sex AND forename AND surname AND dob AND email", True, True, None, "YnnnnnnY"),
    ("sex AND idnum1 OR idnum2", True, True, None, "YYnnYYnn"),
    ("idnum2 OR idnum1 AND sex", True, True, None, "YYnnYYnn"),
    ("sex AND (idnum1 OR idnum2)", True, True, None, "YYnnYYnn"),
    ("NOT NOT sex AND idnum1", True, True, 1, "YYnnnYnn"),
    ("sex AND idnum1 AND NOT otheridnum", True, True, 1, "nYnnnnnn"),
    ("sex AND idnum1 AND otheridnum", True, True, None, "YnnnnYnn"),
    ("SEX AND IDNUM01", True, True, 1, "YYnnnYnn"),
    ("sex AND email AND idnum1", True, True, 1, "Ynnnnnnn"),
    ("sex AND otheridnum", True, True, None, "YYnnYYnn"),
    ("sex AND idnum1 AND idnum2", True, True, None, "nnnnnYnn"),
    ("sex OR idnum1", True, True, 1, "YYYYYYYY"),
    (
        "sex AND NOT anyidnum AND forename AND surname AND dob AND email",
        True,
        True,
        None,
        "nnnnnnnY",
    ),
    ("anyidnum", True, False, None, "YYnYYYnn"),
    ("sex", True, False, None, "YYYnYYYY"),
    ("sex AND idnum11", True, False, None, "nnnnnnnn"),
    ("sex AND idnum1)", False, False, None, "nnnnnnnn"),
    ("(sex AND idnum1", False, False, None, "nnnnnnnn"),
    ("sex AND idnum0", False, False, None, "nnnnnnnn"),
    ("sex AND idnum 1", False, False, None, "nnnnnnnn"),
    ("sex & idnum1", False, False, None, "nnnnnnnn"),
    ("sex AND idnum1 # comment", False, False, None, "nnnnnnnn"),
    ("sex AND idnum1 AND", False, False, None, "nnnnnnnn"),
    ("sex idnum1", False, False, None, "nnnnnnnn"),
    ("()", False, False, None, "nnnnnnnn"),
]


@pytest.mark.parametrize(
    "text,syn,valid,crit,expected", WORKED_EXAMPLES, ids=[r[0] for r in WORKED_EXAMPLES]
)
def test_worked_examples(
    text: str, syn: bool, valid: bool, crit: int | None, expected: str
) -> None:
    policy = parse_policy(text)
    assert policy.is_syntactically_valid() is syn
    assert policy.is_valid(VALID_IDNUMS) is valid
    assert policy.critical_single_idnum(VALID_IDNUMS) == crit
    got = "".join("Y" if policy.satisfied_by(p) else "n" for p in PATIENTS)
    assert got == expected


@pytest.mark.parametrize(
    "text",
    [
        "sex AND idnum1)",
        "(sex AND idnum1",
        "sex AND idnum0",
        "sex AND idnum 1",
        "sex & idnum1",
        "sex AND idnum1 # comment",
    ],
)
def test_untokenisable_policies_have_no_tokens(text: str) -> None:
    policy = parse_policy(text)
    assert policy.tokens == ()
    assert str(policy) == ""
    assert isinstance(policy.error, PolicyError)


# ---------------------------------------------------------------------------
# §1.2 tokenisation details.


@pytest.mark.parametrize(
    "text,normalised",
    [
        ("sex and (idnum1 or idnum2)", "SEX AND (IDNUM1 OR IDNUM2)"),
        ("  Sex\nAND\r\n( idnum1 )  ", "SEX AND (IDNUM1)"),
        ("sex AND(idnum1)", "SEX AND (IDNUM1)"),
        ("sex\tand\fidnum01", "SEX AND IDNUM01"),
        ("((sex))", "((SEX))"),
    ],
)
def test_str_normalises(text: str, normalised: str) -> None:
    policy = parse_policy(text)
    assert policy.is_syntactically_valid()
    assert str(policy) == normalised


@pytest.mark.parametrize(
    "word,item,idnum",
    [
        ("forename", Item.FORENAME, None),
        ("SURNAME", Item.SURNAME, None),
        ("Sex", Item.SEX, None),
        ("dob", Item.DOB, None),
        ("address", Item.ADDRESS, None),
        ("gp", Item.GP, None),
        ("otherdetails", Item.OTHERDETAILS, None),
        ("email", Item.EMAIL, None),
        ("anyidnum", Item.ANYIDNUM, None),
        ("otheridnum", Item.OTHERIDNUM, None),
        ("idnum1", Item.IDNUM, 1),
        ("IDNUM01", Item.IDNUM, 1),
        ("idnum1_0", Item.IDNUM, 10),  # int() accepts digit grouping
        ("idnum123456", Item.IDNUM, 123456),
        ("\u0131dnum7", Item.IDNUM, 7),  # dotless i upper-cases to I
    ],
)
def test_info_tokens(word: str, item: Item, idnum: int | None) -> None:
    (token,) = tokenize(word)
    assert token.kind is TokenKind.INFO
    assert token.item is item
    assert token.idnum == idnum


@pytest.mark.parametrize(
    "text",
    [
        "idnum",
        "idnum0",
        "idnum00",
        "idnum_1",
        "idnum1_",
        "idnum1__0",
        "idnumx",
        "1",
        "sexy",
        "and1",
        "'sex'",
        '"sex"',
        "sex|idnum1",
        "!sex",
        "sex;",
        "sex\u00a0AND idnum1",
        "sex AND idnum1.5",
        "sex AND -idnum1",
        "é",
        "idnum" + "1" * 4301,
    ],
)
def test_bad_tokens(text: str) -> None:
    with pytest.raises(PolicyError):
        tokenize(text)
    assert parse_policy(text).tokens == ()


@pytest.mark.parametrize("text", [None, "", "   ", "\n\n"])
def test_empty_policy(text: str | None) -> None:
    assert tokenize(text) == ()
    policy = parse_policy(text)
    assert not policy.is_syntactically_valid()
    assert not policy.is_valid(VALID_IDNUMS)
    assert not policy.satisfied_by(BPI)
    assert str(policy) == ""
    assert policy_problems(text, VALID_IDNUMS) == SYNTAX_INVALID_MESSAGE


def test_error_positions() -> None:
    with pytest.raises(PolicyError) as info:
        tokenize("sex AND & idnum1")
    assert info.value.position == 8
    policy = parse_policy("sex idnum1")
    assert policy.error is not None and policy.error.position == 4
    assert parse_policy("sex AND").error is not None


# ---------------------------------------------------------------------------
# §1.3 grammar.


@pytest.mark.parametrize(
    "text",
    [
        "sex AND",
        "sex AND NOT",
        "AND sex",
        "OR sex",
        ") sex (",
        "sex idnum1",
        "()",
        "sex AND ()",
        "NOT",
        "(sex) (idnum1)",
        "sex) AND (idnum1",
        "sex AND idnum1 ) AND (sex",
    ],
)
def test_syntax_errors(text: str) -> None:
    policy = parse_policy(text)
    assert not policy.is_syntactically_valid()
    assert isinstance(policy.error, PolicyError)
    assert policy_problems(text, VALID_IDNUMS) == SYNTAX_INVALID_MESSAGE


S, FN = Info(Item.SEX), Info(Item.FORENAME)
I1, I2 = Info(Item.IDNUM, 1), Info(Item.IDNUM, 2)


@pytest.mark.parametrize(
    "text,tree",
    [
        ("sex", S),
        ("sex AND idnum1 OR idnum2", Chain(S, (("AND", I1), ("OR", I2)))),
        ("sex AND (idnum1 OR idnum2)", Chain(S, (("AND", Chain(I1, (("OR", I2),))),))),
        ("NOT NOT sex", Not(Not(S))),
        ("NOT sex AND forename", Chain(Not(S), (("AND", FN),))),
        ("NOT (sex AND forename)", Not(Chain(S, (("AND", FN),)))),
        ("((sex))", S),
    ],
)
def test_tree_shape(text: str, tree: Node) -> None:
    assert parse_policy(text).tree == tree


def test_parse_tokens_reports_unclosed_paren_from_raw_tokens() -> None:
    tokens = (Token(TokenKind.LPAREN, "(", 0), Token(TokenKind.INFO, "SEX", 1, Item.SEX))
    with pytest.raises(PolicyError, match="Unclosed"):
        parse_tokens(tokens)


def test_nesting_limit() -> None:
    deep_ok = "(" * MAX_NESTING + "sex" + ")" * MAX_NESTING
    assert parse_policy(deep_ok).is_syntactically_valid()
    too_deep = "(" * 1000 + "sex" + ")" * 1000
    assert parse_policy(too_deep).error is not None
    assert parse_policy("NOT " * 1000 + "sex").error is not None


def test_long_chain_is_not_recursive() -> None:
    text = " OR ".join(["sex"] * 5000) + " AND idnum1"
    policy = parse_policy(text)
    assert policy.satisfied_by(P2)
    assert not policy.satisfied_by(P3)


# §1.3 four-state truth table: rows x, columns NOT x, x AND T/F/DC, x OR T/F/DC.
T, F, DC = True, False, None
TRUTH_TABLE = [
    (T, F, T, F, T, T, T, T),
    (F, T, F, F, F, T, F, F),
    (DC, DC, T, F, DC, T, F, DC),
]


@pytest.mark.parametrize("row", TRUTH_TABLE)
def test_four_state_truth_table(row: tuple[bool | None, ...]) -> None:
    x, not_x, *rest = row

    def run(text: str, y: bool | None) -> bool | None:
        tree = parse_policy(text).tree
        assert tree is not None
        return evaluate(tree, lambda info: x if info.item is Item.SEX else y)

    assert run("NOT sex", None) is not_x
    expected = iter(rest)
    for op in ("AND", "OR"):
        for y in (T, F, DC):
            assert run(f"sex {op} forename", y) is next(expected)


# ---------------------------------------------------------------------------
# §1.4 presence rules and §1.5 analysis.


def test_otheridnum_counts_types_the_policy_does_not_name() -> None:
    policy = parse_policy("sex AND otheridnum")
    assert policy.satisfied_by(PatientFacts(sex="F", idnums={1: 5}))
    named = parse_policy("sex AND idnum1 AND otheridnum")
    assert not named.satisfied_by(PatientFacts(sex="F", idnums={1: 5}))
    # An entry with no value still counts as "other" (but not as present).
    assert named.satisfied_by(PatientFacts(sex="F", idnums={1: 5, 3: None}))
    assert not parse_policy("sex AND idnum3").satisfied_by(PatientFacts(sex="F", idnums={3: None}))


def test_zero_id_value_counts_as_present() -> None:
    assert parse_policy("sex AND idnum1").satisfied_by(PatientFacts(sex="F", idnums={1: 0}))


@pytest.mark.parametrize(
    "dob,present", [(None, False), ("", False), (DOB, True), ("1980-01-01", True)]
)
def test_dob_presence(dob: date | str | None, present: bool) -> None:
    assert parse_policy("dob").satisfied_by(PatientFacts(dob=dob)) is present


@pytest.mark.parametrize(
    "field_name", ["forename", "surname", "sex", "address", "gp", "otherdetails", "email"]
)
def test_text_presence(field_name: str) -> None:
    policy = parse_policy(field_name)
    for value, present in (("x", True), ("", False), (None, False)):
        kwargs: dict[str, Any] = {field_name: value}
        assert policy.satisfied_by(PatientFacts(**kwargs)) is present


@pytest.mark.parametrize(
    "text,item,idnum,requires,prohibits",
    [
        ("sex AND idnum1", Item.SEX, None, True, False),
        ("sex OR idnum1", Item.SEX, None, True, False),  # reference quirk
        ("sex OR idnum1", Item.IDNUM, 1, True, False),
        ("sex AND NOT idnum1", Item.IDNUM, 1, False, True),
        ("sex AND NOT otheridnum", Item.OTHERIDNUM, None, False, True),
        # idnum7 present makes ANYIDNUM true, but idnum7 absent leaves it DC.
        ("sex AND anyidnum", Item.IDNUM, 7, False, False),
        ("sex AND (idnum7 OR anyidnum)", Item.IDNUM, 7, True, False),
        ("sex AND anyidnum", Item.ANYIDNUM, None, True, False),
        ("sex", Item.EMAIL, None, False, False),
        ("sex AND", Item.SEX, None, False, False),
    ],
)
def test_requires_and_prohibits(
    text: str, item: Item, idnum: int | None, requires: bool, prohibits: bool
) -> None:
    policy = parse_policy(text)
    assert policy.requires(item, idnum) is requires
    assert policy.prohibits(item, idnum) is prohibits


def test_critical_id_reproduces_reference_slip() -> None:
    # "absent with OTHERIDNUM false" would give TRUE here; the reference
    # never asks, so idnum1 is still critical.
    policy = parse_policy("sex AND (idnum1 OR NOT otheridnum)")
    assert policy.critical_single_idnum(VALID_IDNUMS) == 1


@pytest.mark.parametrize(
    "text,valid_idnums,message",
    [
        ("sex AND idnum1", VALID_IDNUMS, None),
        ("sex and anyidnum", [], None),
        ("sex AND idnum11", VALID_IDNUMS, INVALID_POLICY_MESSAGE),
        ("sex AND forename AND surname AND dob", VALID_IDNUMS, INVALID_POLICY_MESSAGE),
        ("sex AND forename AND surname AND dob AND email", VALID_IDNUMS, None),
        ("sex AND", VALID_IDNUMS, SYNTAX_INVALID_MESSAGE),
        ("", VALID_IDNUMS, SYNTAX_INVALID_MESSAGE),
        (None, VALID_IDNUMS, SYNTAX_INVALID_MESSAGE),
    ],
)
def test_policy_problems(
    text: str | None, valid_idnums: range | list[int], message: str | None
) -> None:
    assert policy_problems(text, valid_idnums) == message


def test_invalid_message_is_exact() -> None:
    assert INVALID_POLICY_MESSAGE == (
        "Invalid policy. Have you referred to non-existent ID numbers? Is the "
        "policy less restrictive than the tablet\u2019s minimum ID policy? "
        "['sex AND ((forename AND surname AND dob) OR anyidnum)']"
    )


def test_tablet_policy_and_mentions() -> None:
    assert TABLET_ID_POLICY.is_valid([])
    policy = parse_policy("sex AND (idnum01 OR idnum3)")
    assert policy.idnums == {1, 3}
    assert policy.mentions_idnum(1) and policy.mentions_idnum(3)
    assert not policy.mentions_idnum(2) and not policy.mentions_idnum(None)


def test_policies_compare_by_text_and_structure() -> None:
    assert parse_policy("sex AND") == parse_policy("sex AND")


# ---------------------------------------------------------------------------
# Properties.

_WORDS = [
    "sex",
    "SEX",
    "forename",
    "idnum1",
    "idnum02",
    "anyidnum",
    "otheridnum",
    "AND",
    "and",
    "OR",
    "NOT",
    "not",
    "(",
    ")",
    "idnum",
    "#",
    "&",
    "x",
]


@given(st.text())
@settings(max_examples=300)
def test_arbitrary_text_never_crashes(text: str) -> None:
    policy = parse_policy(text)
    assert policy.is_syntactically_valid() is (policy.error is None)
    policy.is_valid(VALID_IDNUMS)
    policy.satisfied_by(BPI)
    str(policy)
    try:
        parse_tokens(tokenize(text))
    except PolicyError:
        pass


@given(st.lists(st.sampled_from(_WORDS), max_size=12), st.sampled_from([" ", "\n", "  "]))
def test_token_soup_never_crashes(words: list[str], sep: str) -> None:
    text = sep.join(words)
    policy = parse_policy(text)
    policy.critical_single_idnum(VALID_IDNUMS)
    policy.satisfied_by(P6)
    # Case and spacing never matter.
    assert parse_policy(text.upper()).tree == policy.tree
    assert parse_policy(" ".join(text.split()).lower()).tree == policy.tree


# Brute force: random trees, rendered to text, must parse back to the same
# tree and evaluate like a straightforward recursive evaluator.
_LEAVES = [
    Info(Item.SEX),
    Info(Item.FORENAME),
    Info(Item.DOB),
    Info(Item.EMAIL),
    Info(Item.IDNUM, 1),
    Info(Item.IDNUM, 2),
    Info(Item.ANYIDNUM),
    Info(Item.OTHERIDNUM),
]


def _trees() -> st.SearchStrategy[Node]:
    leaves = st.sampled_from(_LEAVES)

    def extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
        return st.one_of(
            children.map(Not),
            st.builds(
                Chain,
                children,
                st.lists(
                    st.tuples(st.sampled_from(["AND", "OR"]), children),
                    min_size=1,
                    max_size=3,
                ).map(tuple),
            ),
        )

    return st.recursive(leaves, extend, max_leaves=10)


def _render(node: Node) -> str:
    if isinstance(node, Info):
        return f"idnum{node.idnum}" if node.idnum else node.item.value
    if isinstance(node, Not):
        return f"NOT {_render_operand(node.operand)}"
    parts = [_render_operand(node.first)]
    for op, operand in node.rest:
        parts += [op, _render_operand(operand)]
    return " ".join(parts)


def _render_operand(node: Node) -> str:
    return f"({_render(node)})" if isinstance(node, Chain) else _render(node)


def _naive(node: Node, facts: dict[Info, bool]) -> bool:
    if isinstance(node, Info):
        return facts[node]
    if isinstance(node, Not):
        return not _naive(node.operand, facts)
    value = _naive(node.first, facts)
    for op, operand in node.rest:
        right = _naive(operand, facts)
        value = (value and right) if op == "AND" else (value or right)
    return value


@given(
    _trees(),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.sampled_from([None, 5]),
    st.sampled_from([None, 6]),
    st.sampled_from([None, 7]),
)
def test_evaluation_matches_brute_force(
    tree: Node,
    sex: bool,
    forename: bool,
    dob: bool,
    email: bool,
    id1: int | None,
    id2: int | None,
    id3: int | None,
) -> None:
    text = _render(tree)
    policy = parse_policy(text)
    assert policy.tree == tree
    idnums = {n: v for n, v in ((1, id1), (2, id2), (3, id3)) if v is not None}
    patient = PatientFacts(
        sex="F" if sex else None,
        forename="A" if forename else "",
        dob=DOB if dob else None,
        email="a@b" if email else None,
        idnums=idnums,
    )
    facts = {
        Info(Item.SEX): sex,
        Info(Item.FORENAME): forename,
        Info(Item.DOB): dob,
        Info(Item.EMAIL): email,
        Info(Item.IDNUM, 1): 1 in idnums,
        Info(Item.IDNUM, 2): 2 in idnums,
        Info(Item.ANYIDNUM): bool(idnums),
        Info(Item.OTHERIDNUM): any(n not in policy.idnums for n in idnums),
    }
    assert policy.satisfied_by(patient) is _naive(tree, facts)
