"""CamCOPS version numbers and the client-version rules (wire.md §2.1 point 5, §2.4).

Versions follow semantic-versioning precedence.  Tablets send
``camcops_version`` as ``X.Y.Z``, but the reference also accepts legacy forms
(``"2"``, ``"2.4"``) with a peculiar rule: the minor part of ``"A.B"`` is
right-padded with zeros to two digits, so ``"2.4"`` means 2.40.0, not 2.4.0.
We keep that reference quirk because it decides which requests are accepted.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from copse.errors import BadRequest

# Strict semver, as the reference's semantic-version parser accepts it:
# no leading zeros in the three numbers, dot-separated non-empty identifiers.
_SEMVER_RE = re.compile(
    r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
    r"(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?"
)
_NUMERIC_ID_RE = re.compile(r"[0-9]+")


@functools.total_ordering
@dataclass(frozen=True)
class Version:
    """A semantic version.  Ordering follows semver precedence.

    A version with a prerelease sorts before the same version without one;
    prerelease identifiers compare numerically when numeric, lexically (ASCII)
    otherwise, numeric before alphanumeric, and a shorter identifier list
    first when all shared identifiers are equal.  Build metadata is kept for
    display but ignored for ordering and equality, as semver prescribes.
    """

    major: int
    minor: int
    patch: int
    prerelease: str = ""
    build: str = field(default="", compare=False)

    def _precedence_key(self) -> tuple[int, int, int, int, tuple[tuple[int, int | str], ...]]:
        if not self.prerelease:
            return (self.major, self.minor, self.patch, 1, ())
        ids: list[tuple[int, int | str]] = []
        for ident in self.prerelease.split("."):
            if _NUMERIC_ID_RE.fullmatch(ident):
                ids.append((0, int(ident)))
            else:
                ids.append((1, ident))
        return (self.major, self.minor, self.patch, 0, tuple(ids))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._precedence_key() < other._precedence_key()

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += f"-{self.prerelease}"
        if self.build:
            text += f"+{self.build}"
        return text


def _valid_identifiers(text: str | None, *, allow_leading_zeros: bool) -> bool:
    if text is None:
        return True
    for ident in text.split("."):
        if not ident:
            return False
        if (
            not allow_leading_zeros
            and len(ident) > 1
            and ident[0] == "0"
            and _NUMERIC_ID_RE.fullmatch(ident)
        ):
            return False
    return True


def parse_semver(s: str) -> Version | None:
    """Parse a strict semantic version (``X.Y.Z[-pre][+build]``); None if it is not one."""
    m = _SEMVER_RE.fullmatch(s)
    if not m:
        return None
    major, minor, patch, pre, build = m.groups()
    if not _valid_identifiers(pre, allow_leading_zeros=False):
        return None
    if not _valid_identifiers(build, allow_leading_zeros=True):
        return None
    return Version(int(major), int(minor), int(patch), pre or "", build or "")


@functools.lru_cache(maxsize=256)
def make_version(s: str | None) -> Version:
    """Interpret a client version string as the reference does (§2.1 point 5).

    * None gives 0.0.0 (so a missing version is "too old").
    * Strict semver is tried first.
    * Otherwise split on ``.``: ``"N"`` gives N.0.0 and ``"A.B"`` gives
      ``A.<int(B.ljust(2, "0"))>.0``, so ``"1.14"`` is 1.14.0, ``"1.5"`` is
      1.50.0 and ``"2.4"`` is 2.40.0 (reference quirk).  The numbers go
      through Python ``int()``, with its leniency.
    * Anything else (three or more parts that are not strict semver,
      non-numeric or negative parts) raises :class:`BadRequest`.
    """
    if s is None:
        return Version(0, 0, 0)
    strict = parse_semver(s)
    if strict is not None:
        return strict
    parts = s.split(".")
    try:
        if len(parts) == 1:
            major, minor = int(parts[0]), 0
        elif len(parts) == 2:
            major, minor = int(parts[0]), int(parts[1].ljust(2, "0"))
        else:
            raise ValueError(s)
    except ValueError:
        raise BadRequest(f"CamCOPS tablet version nonsensical: {s!r}") from None
    if major < 0 or minor < 0:
        raise BadRequest(f"CamCOPS tablet version nonsensical: {s!r}")
    return Version(major, minor, 0)


# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------

SERVER_CAMCOPS_VERSION_STRING = "2.4.24"
SERVER_CAMCOPS_VERSION = Version(2, 4, 24)

MINIMUM_TABLET_VERSION = Version(2, 0, 0)
FIRST_TABLET_VER_WITHOUT_IDDESC_IN_PT_TABLE = Version(2, 0, 0)
FIRST_TABLET_VER_WITH_SEPARATE_IDNUM_TABLE = Version(2, 0, 1)
FIRST_TABLET_VER_WITH_EXPLICIT_PKNAME_IN_UPLOAD_TABLE = Version(2, 0, 4)
# Versions at which the tablet started using features (wire.md §3); the server
# does not gate on these, but they document the protocol's history.
FIRST_TABLET_VER_WITH_MOVE_OFF_VALUES = Version(2, 3, 0)
FIRST_TABLET_VER_WITH_VALIDATE_PATIENTS = Version(2, 3, 0)
FIRST_TABLET_VER_WITH_ONE_STEP_UPLOAD = Version(2, 3, 0)
FIRST_TABLET_VER_WITH_SINGLE_USER_MODE = Version(2, 4, 0)
# The tablet refuses servers older than this (its MINIMUM_SERVER_VERSION).
MINIMUM_SERVER_VERSION_FOR_TABLET = Version(2, 4, 0)


# ---------------------------------------------------------------------------
# Predicates (wire.md §2.4)
# ---------------------------------------------------------------------------


def cope_with_deleted_patient_descriptors(v: Version) -> bool:
    """Client older than 2.0.0; unreachable now that 2.0.0 is the minimum."""
    return v < FIRST_TABLET_VER_WITHOUT_IDDESC_IN_PT_TABLE


def cope_with_old_idnums(v: Version) -> bool:
    """Client older than 2.0.1 (2.0.0 or a 2.0.1 prerelease): idnums live in ``patient``."""
    return v < FIRST_TABLET_VER_WITH_SEPARATE_IDNUM_TABLE


def explicit_pkname_for_upload_table(v: Version) -> bool:
    """Client 2.0.4 or later must send ``pkname`` to ``upload_table``; older ones imply ``id``."""
    return v >= FIRST_TABLET_VER_WITH_EXPLICIT_PKNAME_IN_UPLOAD_TABLE


def pkname_in_upload_table_neither_first_nor_explicit(v: Version) -> bool:
    """Defined by the reference (2.0.0 <= v < 2.0.4) but unused; kept for completeness."""
    return MINIMUM_TABLET_VERSION <= v < FIRST_TABLET_VER_WITH_EXPLICIT_PKNAME_IN_UPLOAD_TABLE


def check_client_version(v: Version, raw: str | None) -> None:
    """Refuse clients older than :data:`MINIMUM_TABLET_VERSION` (an HTTP 400 case)."""
    if v < MINIMUM_TABLET_VERSION:
        raise BadRequest(f"Tablet CamCOPS version too old: is {raw}, need {MINIMUM_TABLET_VERSION}")


def parse_client_version(raw: str | None) -> Version:
    """:func:`make_version` then :func:`check_client_version`, as done for every request."""
    v = make_version(raw)
    check_client_version(v, raw)
    return v
