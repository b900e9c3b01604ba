"""Coverage-guided fuzz target for the SQL-literal value codec (``copse.wire.values``).

Properties, for any text:

* the server decoder (``decode_csv`` / ``decode_value``) never raises;
* every decoded value re-encodes (``encode_value``) and decodes back to
  itself (floats compared bit-for-bit, NaN as NaN);
* the client codec (``encode_client_value`` / ``decode_client_csv``)
  round-trips too (floats only in shape: the client's precision is limited), and
  ``split_client_csv`` never raises;
* the reply escaping (``escape_newlines`` / ``unescape_newlines``) round-trips.

Run (CI does a bounded pass from tests/reliability/test_fuzz_atheris.py):
    python fuzz/fuzz_values.py -max_total_time=3600 /tmp/corpus-values fuzz/seeds/values
"""

from __future__ import annotations

import math
import sys

import atheris

with atheris.instrument_imports():
    from copse.wire import values as V


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    return type(a) is type(b) and a == b


def check(text: str) -> None:
    decoded = V.decode_csv(text)
    for v in decoded:
        enc = V.encode_value(v)
        back = V.decode_value(enc)
        if isinstance(v, int) and not isinstance(v, bool) and len(str(abs(v))) > 4000:
            continue  # Python's int/str digit limit: decoded as a float on the way back
        if not _same(back, v):
            raise AssertionError(f"server round trip: {v!r} -> {enc!r} -> {back!r}")
        if v is None or isinstance(v, (int, float, str, bytes)):
            if isinstance(v, float) and not math.isfinite(v):
                continue  # the tablet has no literal for inf/NaN
            cenc = V.encode_client_value(v)
            cback = V.decode_client_csv(cenc)
            if isinstance(v, float):
                # The client writes floats with limited precision (wire.md §4.4): lossy
                # by design, so only the shape is checked.
                if len(cback) != 1 or not isinstance(cback[0], (int, float)):
                    raise AssertionError(f"client float: {v!r} -> {cenc!r} -> {cback!r}")
                continue
            if isinstance(v, int) and not -(2**31) <= v < 2**31:
                continue  # the client's integer parsing is 32-bit (decode_client_value)
            if len(cback) != 1 or not _same(cback[0], v):
                raise AssertionError(f"client round trip: {v!r} -> {cenc!r} -> {cback!r}")
    V.split_client_csv(text)
    if V.unescape_newlines(V.escape_newlines(text)) != text:
        raise AssertionError(f"escape_newlines round trip failed for {text!r}")


def TestOneInput(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    check(fdp.ConsumeUnicodeNoSurrogates(len(data)))


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
