"""Parse ID policy tokens into a small frozen AST (spec policies.md §1.3).

The grammar, as the reference evaluates it::

    chunk   := content ( op content )*
    content := "(" chunk ")" | "NOT" content | info
    op      := "AND" | "OR"

AND and OR have *equal* precedence and apply strictly left to right, so
``a OR b AND c`` means ``(a OR b) AND c``.  A chunk is therefore kept as a
flat :class:`Chain` (first operand plus ``(op, operand)`` pairs) rather
than as a tree of binary nodes; that mirrors the rule directly and keeps
evaluation iterative however long the policy is.  ``NOT`` binds tightest.
Parentheses leave no node of their own.

The reference has no separate parse step: a structural mistake shows up
as an ERROR value during evaluation.  Every such mistake (§1.3 "Errors")
is a :class:`~copse.policy.lexer.PolicyError` here, naming the token.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

from copse.policy.lexer import Item, PolicyError, Token, TokenKind

__all__ = ["MAX_NESTING", "Chain", "Info", "Node", "Not", "Op", "parse_tokens"]

Op: TypeAlias = Literal["AND", "OR"]

# Parentheses and NOTs nest recursively.  A policy column holds at most
# 255 characters, which allows about 127 levels; refusing deeper text keeps
# the parser and evaluator clear of Python's recursion limit on arbitrary
# input (where the reference would die with RecursionError).
MAX_NESTING = 200


@dataclass(frozen=True)
class Info:
    """A leaf: is this piece of information present?  ``idnum`` for IDNUMn."""

    item: Item
    idnum: int | None = None


@dataclass(frozen=True)
class Not:
    """Logical negation of the next content item."""

    operand: Node


@dataclass(frozen=True)
class Chain:
    """``first op1 x1 op2 x2 ...`` evaluated strictly left to right."""

    first: Node
    rest: tuple[tuple[Op, Node], ...]


Node: TypeAlias = Info | Not | Chain


class _Parser:
    def __init__(self, tokens: Sequence[Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def _end_position(self) -> int:
        # parse_tokens() never builds a parser for an empty sequence.
        last = self.tokens[-1]
        return last.position + len(last.text)

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def chunk(self, depth: int) -> Node:
        first = self.content(depth)
        rest: list[tuple[Op, Node]] = []
        while True:
            token = self.peek()
            if token is None or token.kind is TokenKind.RPAREN:
                break
            if token.kind is TokenKind.AND:
                op: Op = "AND"
            elif token.kind is TokenKind.OR:
                op = "OR"
            else:
                raise PolicyError(f"Expected AND or OR before {token.text!r}", token.position)
            self.pos += 1
            rest.append((op, self.content(depth)))
        return Chain(first, tuple(rest)) if rest else first

    def content(self, depth: int) -> Node:
        if depth > MAX_NESTING:
            raise PolicyError("Policy is nested too deeply", self._peek_position())
        token = self.peek()
        if token is None:
            raise PolicyError(
                "Policy ends where an item, NOT or '(' was expected",
                self._end_position(),
            )
        self.pos += 1
        if token.kind is TokenKind.INFO:
            assert token.item is not None
            return Info(token.item, token.idnum)
        if token.kind is TokenKind.NOT:
            return Not(self.content(depth + 1))
        if token.kind is TokenKind.LPAREN:
            inner = self.chunk(depth + 1)
            closing = self.peek()
            if closing is None:
                # chunk() stops only at the end or at ')'.  Unreachable from
                # tokenize(), which checks that parentheses balance.
                raise PolicyError("Unclosed '('", token.position)
            self.pos += 1
            return inner
        raise PolicyError(
            f"Expected an item, NOT or '(' but found {token.text!r}",
            token.position,
        )

    def _peek_position(self) -> int:
        token = self.peek()
        return token.position if token is not None else self._end_position()


def parse_tokens(tokens: Sequence[Token]) -> Node:
    """Build the AST for a token sequence; raise :class:`PolicyError`.

    An empty sequence is an error: an empty policy is never valid (§1.3).
    """
    if not tokens:
        raise PolicyError("Policy is empty")
    parser = _Parser(tokens)
    node = parser.chunk(0)
    leftover = parser.peek()
    if leftover is not None:
        # chunk() only stops early at a ')' that closes nothing.
        raise PolicyError("Unmatched ')'", leftover.position)
    return node
