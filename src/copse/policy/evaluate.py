"""Evaluate ID policies: patient checks and validity analysis (policies.md §1).

Two kinds of question are asked of a policy:

* **Does this patient satisfy it?** (§1.4)  Every item is simply present or
  absent, so this is ordinary Boolean logic; an empty or malformed policy
  is never satisfied.
* **What does it require?** (§1.5)  The reference answers with a
  four-valued logic in which every item except the one under test is
  "don't care" (DC), an identity element for both AND and OR.  An item is
  *required* when "item true" gives TRUE and "item false" gives FALSE.
  This is an approximation (``sex OR idnum1`` "requires" both sex and
  idnum1), but it decides which policies the server accepts, so copse
  reproduces it exactly.  DC is written ``None`` here.  The reference's
  fourth value, ERROR, only ever comes from malformed text, which copse
  reports at parse time instead (:attr:`Policy.error`).

:func:`parse_policy` never raises: a policy that does not parse is still a
:class:`Policy`, one that is syntactically invalid, never valid and never
satisfied, because groups can hold such text and the server must still
send it to tablets verbatim.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

from copse.policy.lexer import Item, PolicyError, Token, tokenize
from copse.policy.parser import Info, Node, Not, parse_tokens

__all__ = [
    "INVALID_POLICY_MESSAGE",
    "SYNTAX_INVALID_MESSAGE",
    "TABLET_ID_POLICY",
    "TABLET_ID_POLICY_TEXT",
    "PatientFacts",
    "Policy",
    "evaluate",
    "parse_policy",
    "policy_problems",
]

TABLET_ID_POLICY_TEXT = "sex AND ((forename AND surname AND dob) OR anyidnum)"
"""The minimum policy built into every tablet (§1.1)."""

SYNTAX_INVALID_MESSAGE = "Syntactically invalid policy"
INVALID_POLICY_MESSAGE = (
    "Invalid policy. Have you referred to non-existent ID numbers? "
    "Is the policy less restrictive than the tablet\u2019s minimum ID policy? "
    "['sex AND ((forename AND surname AND dob) OR anyidnum)']"
)
"""What an admin sees for a parseable but unacceptable policy (§1.5).

The apostrophe in "tablet's" is the typographic U+2019, as in the reference.
"""

# Without an ID number, a policy must demand all of these.  EMAIL is on the
# list although the tablet policy does not mention it (§1.5).
_NAME_ITEMS = (Item.FORENAME, Item.SURNAME, Item.DOB, Item.EMAIL)

Tri = bool | None
"""True, False or None for "don't care"."""


def _and(a: Tri, b: Tri) -> Tri:
    if a is False or b is False:
        return False
    if a is True or b is True:
        return True
    return None


def _or(a: Tri, b: Tri) -> Tri:
    if a is True or b is True:
        return True
    if a is False or b is False:
        return False
    return None


def evaluate(node: Node, value_of: Callable[[Info], Tri]) -> Tri:
    """Evaluate a policy tree, asking ``value_of`` about each leaf.

    With two-valued leaves this is Boolean logic; with DC (``None``)
    leaves it is the reference's analysis logic (§1.3 truth table).
    """
    if isinstance(node, Info):
        return value_of(node)
    if isinstance(node, Not):
        inner = evaluate(node.operand, value_of)
        return None if inner is None else not inner
    result = evaluate(node.first, value_of)
    for op, operand in node.rest:
        value = evaluate(operand, value_of)
        result = _and(result, value) if op == "AND" else _or(result, value)
    return result


@dataclass(frozen=True)
class PatientFacts:
    """What a policy can see of a patient: which items are present.

    Text fields count as present when truthy (not ``None``, not ``""``).
    ``dob`` counts when it is not ``None``; a string ``""`` is also taken
    as absent so that raw record values can be passed unchanged.
    ``idnums`` maps ID type to value; an entry whose value is ``None``
    does not make IDNUMn or ANYIDNUM true, but still counts for
    OTHERIDNUM, as in the reference (§1.4).
    """

    forename: str | None = None
    surname: str | None = None
    dob: date | str | None = None
    sex: str | None = None
    address: str | None = None
    gp: str | None = None
    otherdetails: str | None = None
    email: str | None = None
    idnums: Mapping[int, int | None] = field(default_factory=dict, hash=False)

    def has(self, item: Item) -> bool:
        """Presence of a non-ID item (FORENAME ... EMAIL)."""
        if item is Item.DOB:
            return self.dob is not None and self.dob != ""
        value = getattr(self, item.value)
        return bool(value)


_Key = tuple[Item, int | None]


def _analysis_values(assigned: Mapping[_Key, bool]) -> Callable[[Info], Tri]:
    """Leaf values for the requires/prohibits analysis: DC unless assigned.

    ANYIDNUM is TRUE whenever an assigned ID type is TRUE, and otherwise
    takes its own assignment (§1.5).
    """
    any_id_true = any(value for (item, _), value in assigned.items() if item is Item.IDNUM)

    def value_of(info: Info) -> Tri:
        if info.item is Item.ANYIDNUM and any_id_true:
            return True
        return assigned.get((info.item, info.idnum))

    return value_of


@dataclass(frozen=True)
class Policy:
    """A policy as text, tokens and (when it parses) a tree.

    ``tokens`` is empty when the text could not be tokenised, mirroring the
    reference's empty token list; ``tree`` is ``None`` whenever the policy
    is syntactically invalid, and ``error`` then says why.
    """

    text: str | None
    tokens: tuple[Token, ...] = ()
    tree: Node | None = None
    error: PolicyError | None = field(default=None, compare=False)

    # ----------------------------------------------------------------- shape

    def __str__(self) -> str:
        """Tokens in upper case, single-spaced, no space inside brackets."""
        joined = " ".join(token.text for token in self.tokens)
        return joined.replace("( ", "(").replace(" )", ")")

    def is_syntactically_valid(self) -> bool:
        """True when the policy is non-empty and well formed."""
        return self.tree is not None

    @property
    def idnums(self) -> frozenset[int]:
        """The ID types named by IDNUMn tokens."""
        return frozenset(t.idnum for t in self.tokens if t.idnum is not None)

    def mentions_idnum(self, which_idnum: int | None) -> bool:
        """Whether ``IDNUM<which_idnum>`` appears in the policy."""
        return which_idnum in self.idnums

    # -------------------------------------------------------------- analysis

    def _analyse(self, assigned: Mapping[_Key, bool]) -> Tri:
        assert self.tree is not None
        return evaluate(self.tree, _analysis_values(assigned))

    def requires(self, item: Item, idnum: int | None = None) -> bool:
        """True if "item present" alone gives TRUE and "absent" gives FALSE."""
        if self.tree is None:
            return False
        key = (item, idnum)
        return self._analyse({key: True}) is True and self._analyse({key: False}) is False

    def prohibits(self, item: Item, idnum: int | None = None) -> bool:
        """True if "item present" alone gives FALSE and "absent" gives TRUE."""
        if self.tree is None:
            return False
        key = (item, idnum)
        return self._analyse({key: True}) is False and self._analyse({key: False}) is True

    def requires_an_idnum(self) -> bool:
        """A named IDNUMn, ANYIDNUM or OTHERIDNUM is required."""
        return (
            any(self.requires(Item.IDNUM, n) for n in sorted(self.idnums))
            or self.requires(Item.ANYIDNUM)
            or self.requires(Item.OTHERIDNUM)
        )

    def is_compatible_with_tablet_policy(self) -> bool:
        """At least as strict as the tablet's minimum policy (§1.5 rule 3).

        The reference hand-codes this rather than comparing the two
        policies: SEX must be required, and so must an ID number or all of
        forename, surname, DOB and e-mail.
        """
        if not self.requires(Item.SEX):
            return False
        return self.requires_an_idnum() or all(self.requires(item) for item in _NAME_ITEMS)

    def refers_only_to(self, valid_idnums: Collection[int]) -> bool:
        """Every IDNUMn names an ID type defined on the server."""
        return all(n in valid_idnums for n in self.idnums)

    def is_valid(self, valid_idnums: Collection[int]) -> bool:
        """Full validity: parses, known ID types, tablet-compatible."""
        return (
            self.is_syntactically_valid()
            and self.refers_only_to(valid_idnums)
            and self.is_compatible_with_tablet_policy()
        )

    def is_idnum_mandatory(self, which_idnum: int | None, valid_idnums: Collection[int]) -> bool:
        """Whether ID type ``which_idnum`` must be present (§1.5).

        Used by exports that need a primary ID.  Requires the type to be
        named literally and the policy to be fully valid.
        """
        if which_idnum is None or which_idnum < 1:
            return False
        return (
            self.mentions_idnum(which_idnum)
            and self.is_valid(valid_idnums)
            and self.requires(Item.IDNUM, which_idnum)
        )

    def critical_single_idnum(self, valid_idnums: Collection[int]) -> int | None:
        """The one named ID type the policy hinges on, else ``None`` (§1.5).

        Display only.  A type qualifies when it is required, and also gives
        TRUE when present with OTHERIDNUM false.  **Reference quirk,
        reproduced:** the reference meant to test "absent with OTHERIDNUM
        false" as well, but repeats the plain "absent" test instead, so
        that test is not made here either.
        """
        if not self.is_valid(valid_idnums):
            return None
        found = [
            n
            for n in sorted(self.idnums)
            if self.requires(Item.IDNUM, n)
            and self._analyse({(Item.IDNUM, n): True, (Item.OTHERIDNUM, None): False}) is True
        ]
        return found[0] if len(found) == 1 else None

    # -------------------------------------------------------------- patients

    def satisfied_by(self, patient: PatientFacts) -> bool:
        """Whether a patient meets the policy; never for an invalid policy."""
        if self.tree is None:
            return False
        named = self.idnums
        present_ids = {n for n, value in patient.idnums.items() if value is not None}
        has_other = any(n not in named for n in patient.idnums)

        def value_of(info: Info) -> Tri:
            if info.item is Item.IDNUM:
                return info.idnum in present_ids
            if info.item is Item.ANYIDNUM:
                return bool(present_ids)
            if info.item is Item.OTHERIDNUM:
                return has_other
            return patient.has(info.item)

        return evaluate(self.tree, value_of) is True


def parse_policy(text: str | None) -> Policy:
    """Tokenise and parse policy text; never raises.

    ``None`` and blank text give an empty, syntactically invalid policy.
    """
    try:
        tokens = tokenize(text)
    except PolicyError as exc:
        return Policy(text, (), None, exc)
    try:
        tree = parse_tokens(tokens)
    except PolicyError as exc:
        return Policy(text, tokens, None, exc)
    return Policy(text, tokens, tree)


TABLET_ID_POLICY = parse_policy(TABLET_ID_POLICY_TEXT)


def policy_problems(text: str | None, valid_idnums: Collection[int]) -> str | None:
    """The message an admin sees when setting a group policy, or ``None``.

    Exactly the reference form's two messages (§1.5).
    """
    policy = parse_policy(text)
    if not policy.is_syntactically_valid():
        return SYNTAX_INVALID_MESSAGE
    if not policy.is_valid(valid_idnums):
        return INVALID_POLICY_MESSAGE
    return None
