"""Coverage-guided fuzz target for the ID-policy lexer and parser (``copse.policy``).

Properties, for any text:

* ``tokenize`` / ``parse_tokens`` raise nothing but ``PolicyError``;
* ``parse_policy`` and ``policy_problems`` never raise;
* a syntactically valid policy's pretty-printed form parses to a policy with
  the same pretty-printed form (idempotent normalisation).

Run (CI does a bounded pass from tests/reliability/test_fuzz_atheris.py):
    python fuzz/fuzz_policy.py -max_total_time=3600 /tmp/corpus-policy fuzz/seeds/policy
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from copse.policy import evaluate, lexer, parser


def check(text: str) -> None:
    try:
        parser.parse_tokens(lexer.tokenize(text))
    except lexer.PolicyError:
        pass
    policy = evaluate.parse_policy(text)
    evaluate.policy_problems(text, [1, 2, 3])
    if policy.is_syntactically_valid():
        pretty = str(policy)
        again = evaluate.parse_policy(pretty)
        if not again.is_syntactically_valid() or str(again) != pretty:
            raise AssertionError(f"pretty form does not re-parse: {text!r} -> {pretty!r}")


def TestOneInput(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    check(fdp.ConsumeUnicodeNoSurrogates(len(data)))


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
