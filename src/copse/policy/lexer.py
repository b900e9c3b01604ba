"""Tokens of the ID policy language (spec policies.md §1.2).

A policy such as ``sex AND (idnum1 OR idnum2)`` is split into keywords,
parentheses and "info" items.  The reference server runs the text through
Python's own source tokenizer and then maps each token to a keyword; any
token it does not know makes the whole policy an empty token list.  copse
uses a small dedicated lexer that gives the same answers for every policy:

* the text is stripped, upper-cased and its lines are joined with single
  spaces *before* lexing, so the language is case-insensitive and
  policies may span several lines;
* a token is a maximal run of ``[A-Z0-9_]`` or a single parenthesis;
  spaces, tabs and form feeds separate tokens; any other character is an
  error (``&``, ``|``, ``!``, quotes, ``#`` comments, ...);
* the parentheses must balance overall, because the reference's source
  tokenizer fails on an unclosed or an extra ``)`` ("EOF in multi-line
  statement").  Whether they *nest* properly is the parser's business.

Errors are raised as :class:`PolicyError`, naming the offset in the
normalised text, so that an admin page can say what was wrong.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from copse.errors import CopseError

__all__ = [
    "Item",
    "PolicyError",
    "Token",
    "TokenKind",
    "normalise_policy_text",
    "tokenize",
]


class PolicyError(CopseError):
    """An ID policy cannot be tokenised or parsed.

    ``position`` is an offset into the normalised text (see
    :func:`normalise_policy_text`), or ``None`` when the problem is the
    policy as a whole (for example, an empty policy).
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


class TokenKind(enum.Enum):
    """What a token is, grammatically."""

    LPAREN = "("
    RPAREN = ")"
    AND = "AND"
    OR = "OR"
    NOT = "NOT"
    INFO = "info"


class Item(enum.StrEnum):
    """A piece of patient information that a policy can ask about."""

    FORENAME = "forename"
    SURNAME = "surname"
    SEX = "sex"
    DOB = "dob"
    ADDRESS = "address"
    GP = "gp"
    OTHERDETAILS = "otherdetails"
    EMAIL = "email"
    ANYIDNUM = "anyidnum"
    OTHERIDNUM = "otheridnum"
    IDNUM = "idnum"


@dataclass(frozen=True)
class Token:
    """One token; ``item``/``idnum`` are set only for :attr:`TokenKind.INFO`."""

    kind: TokenKind
    text: str
    position: int
    item: Item | None = None
    idnum: int | None = None


_KEYWORDS: dict[str, TokenKind] = {
    "AND": TokenKind.AND,
    "OR": TokenKind.OR,
    "NOT": TokenKind.NOT,
}

# Every info item except IDNUM is spelt as its own name.
_NAMED_ITEMS: dict[str, Item] = {
    item.value.upper(): item for item in Item if item is not Item.IDNUM
}

_IDNUM_PREFIX = "IDNUM"
# What Python's int() accepts after "IDNUM" once the token is a run of
# [A-Z0-9_]: ASCII digits, optionally grouped by single underscores.  So
# IDNUM01 is type 1 and IDNUM1_0 is type 10, as in the reference.
_IDNUM_SUFFIX = re.compile(r"[0-9]+(?:_[0-9]+)*")
# Python's int() refuses very long digit strings; mirror that rather than
# accept a type number no server could define.
_MAX_IDNUM_DIGITS = 4300

_WORD = re.compile(r"[A-Z0-9_]+")
_SPACE = " \t\f"


def normalise_policy_text(text: str | None) -> str:
    """Strip, upper-case and join lines with single spaces (§1.2 step 2).

    Upper-casing happens first, on the whole text, exactly as the
    reference does: so a Unicode letter whose upper case is ASCII (the
    dotless ``ı`` becomes ``I``) is accepted as that letter.
    """
    if text is None:
        return ""
    return " ".join(text.strip().upper().splitlines())


def _word_token(word: str, position: int) -> Token:
    keyword = _KEYWORDS.get(word)
    if keyword is not None:
        return Token(keyword, word, position)
    item = _NAMED_ITEMS.get(word)
    if item is not None:
        return Token(TokenKind.INFO, word, position, item=item)
    if word.startswith(_IDNUM_PREFIX):
        suffix = word[len(_IDNUM_PREFIX) :]
        if _IDNUM_SUFFIX.fullmatch(suffix) and len(suffix) <= _MAX_IDNUM_DIGITS:
            number = int(suffix)
            if number > 0:
                return Token(TokenKind.INFO, word, position, item=Item.IDNUM, idnum=number)
            raise PolicyError(f"ID number types start at 1, not {word!r}", position)
    raise PolicyError(f"Unknown word {word!r}", position)


def tokenize(text: str | None) -> tuple[Token, ...]:
    """Split a policy into tokens; raise :class:`PolicyError` on bad text.

    An empty or ``None`` policy gives an empty tuple (not an error): the
    parser decides what an empty policy means.
    """
    source = normalise_policy_text(text)
    tokens: list[Token] = []
    depth = 0
    i = 0
    while i < len(source):
        char = source[i]
        if char in _SPACE:
            i += 1
        elif char == "(":
            tokens.append(Token(TokenKind.LPAREN, char, i))
            depth += 1
            i += 1
        elif char == ")":
            tokens.append(Token(TokenKind.RPAREN, char, i))
            depth -= 1
            i += 1
        else:
            match = _WORD.match(source, i)
            if match is None:
                raise PolicyError(f"Unexpected character {char!r}", i)
            tokens.append(_word_token(match.group(), i))
            i = match.end()
    if depth > 0:
        raise PolicyError("Unclosed '('", len(source))
    if depth < 0:
        raise PolicyError("Unmatched ')'", len(source))
    return tuple(tokens)
