"""Fixtures and helpers shared by the ``tests/e2e/test_upload_*`` modules.

The ``uploader`` fixture is registered for the whole suite by
``pytest_plugins`` in tests/conftest.py, so test modules need not import it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from copse.schema.registry import COMMIT_ORDER
from tests.support import upload_checks as uc
from tests.support.databases import Backend
from tests.support.server import ServerProcess
from tests.support.tablet import Method, Tablet, UploadOutcome

#: Policies our simulated patients satisfy (forename, surname, dob, sex, NHS number),
#: so uploads keep working once ID policies are enforced at upload time.
UPLOAD_POLICY = "sex AND ((forename AND surname AND dob) OR anyidnum)"
FINALIZE_POLICY = "sex AND forename AND surname AND dob AND idnum1"

TabletFactory = Callable[..., Tablet]


@pytest.fixture
def uploader(
    server: ServerProcess, site: dict[str, str], cli: Any, db: Backend
) -> Iterator[TabletFactory]:
    """A factory of registered tablets for alice (or another user) on the session server."""
    cli(
        "group",
        "set-policy",
        site["group"],
        "--upload",
        UPLOAD_POLICY,
        "--finalize",
        FINALIZE_POLICY,
    )
    made: list[Tablet] = []

    def make(
        user: str = site["user"],
        password: str = site["password"],
        *,
        register: bool = True,
        **kw: Any,
    ) -> Tablet:
        t = Tablet(server.api_url, user, password, **kw)
        if register:
            t.register()
        made.append(t)
        return t

    yield make
    for t in made:
        t.http.close()


@dataclass
class Checked:
    """What one checked upload did: its outcome and the audit text written."""

    outcome: UploadOutcome
    audit: str
    counts: dict[str, dict[str, int]]


def checked_upload(
    db: Backend,
    tablet: Tablet,
    method: Method,
    onestep: bool,
    *,
    tables: tuple[str, ...] = COMMIT_ORDER,
) -> Checked:
    """Upload, then check independently: exactly one new audit entry with the
    exact text derived from the row changes, and all invariants."""
    dev = uc.device_id(db.engine, tablet.device)
    before = uc.lifecycle_state(db.engine, tables)
    n_audits = len(uc.upload_audits(db.engine))
    out = tablet.upload(method, onestep=onestep)
    assert out.ok, f"{method} {'one-step' if onestep else 'stepwise'} upload failed: {out.error}"
    after = uc.lifecycle_state(db.engine, tables)
    audits = uc.upload_audits(db.engine)
    assert len(audits) == n_audits + 1, (
        f"expected one new upload audit entry, got {audits[n_audits:]}"
    )
    expected = uc.expected_audit_text(before, after, dev, tablet.user)
    assert audits[-1] == expected, f"audit text\n got: {audits[-1]}\nwant: {expected}"
    problems = uc.check_invariants(db.engine, tables)
    assert not problems, problems
    problems = uc.index_problems(db.engine)
    assert not problems, "\n".join(problems)
    return Checked(out, audits[-1], uc.parse_audit(audits[-1]))


def assert_now_matches_tablet(
    db: Backend, tablet: Tablet, tables: tuple[str, ...] = COMMIT_ORDER
) -> None:
    """The device's current NOW rows are exactly the tablet's records (id and instant)."""
    dev = uc.device_id(db.engine, tablet.device)
    now = uc.current_by_era(db.engine, dev, tables).get("NOW", {})
    want = {
        t: {r["id"]: uc.instant(r["when_last_modified"]) for r in tablet.rows(t)}
        for t in tables
        if tablet.db.get(t)
    }
    assert {t: v for t, v in now.items() if v} == want
