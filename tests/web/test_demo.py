"""``copse demo`` fills a database through the real upload engine; its trackers are right."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

from copse.index.names import name_key_differences
from copse.index.rebuild import check_index
from copse.schema.tables import CLIENT_TABLES
from copse.sync.invariants import check_invariants
from tests.conftest import Cli
from tests.support.databases import Backend
from tests.web.conftest import login, make_client
from tests.web.test_clinical import svg_points


def demo_person_phq9(conn: sa.Connection) -> tuple[int, list[tuple[str, int]]]:
    """The first current patient's PK and the (time, total) of every PHQ-9 of that person.

    Computed from the stored rows by SQL and plain sums, independently of the
    tracker's code: every current patient row holding the same NHS number.
    """
    p, i, q = (CLIENT_TABLES[t] for t in ("patient", "patient_idnum", "phq9"))
    # One person: every current patient row with the first patient's NHS number.
    first = conn.execute(
        sa.select(p.c._pk, p.c.id, p.c._device_id, p.c._era)
        .where(p.c._current == sa.true())
        .order_by(p.c._pk)
    ).first()
    assert first is not None
    nhs = conn.execute(
        sa.select(i.c.idnum_value).where(
            i.c.patient_id == first.id,
            i.c._device_id == first._device_id,
            i.c._era == first._era,
            i.c._current == sa.true(),
            i.c.which_idnum == 1,
        )
    ).scalar_one()
    rows = conn.execute(
        sa.select(p.c.id, p.c._device_id, p.c._era)
        .join(
            i,
            sa.and_(
                i.c.patient_id == p.c.id,
                i.c._device_id == p.c._device_id,
                i.c._era == p.c._era,
                i.c._current == sa.true(),
            ),
        )
        .where(p.c._current == sa.true(), i.c.which_idnum == 1, i.c.idnum_value == nhs)
    ).all()
    assert len(rows) >= 2  # the same person in several eras
    expected: list[tuple[str, int]] = []
    for r in rows:
        for t in conn.execute(
            sa.select(q).where(
                q.c.patient_id == r.id,
                q.c._device_id == r._device_id,
                q.c._era == r._era,
                q.c._current == sa.true(),
            )
        ).mappings():
            total = sum(int(t[f"q{k}"]) for k in range(1, 10))
            expected.append((str(t["when_created"]), total))
    expected.sort()
    return int(first._pk), expected


def test_demo_then_tracker_shows_each_phq9(cli: Cli, db: Backend, tmp_path: Path) -> None:
    out = cli("demo", "--patients", "4")
    m = re.search(r"as: (\S+) / (\S+)", out)
    assert m, out
    user, password = m.groups()
    with db.engine.connect() as conn:
        assert check_index(conn) == []
        assert check_invariants(conn) == []
        # The uploads kept the patients' search keys exact too.
        assert name_key_differences(conn) == []
        p = CLIENT_TABLES["patient"]
        surname = conn.execute(
            sa.select(p.c.surname).where(p.c._current == sa.true()).limit(1)
        ).scalar_one()
        # Several eras: the clinic tablet finalizes after every clinic day.
        q = CLIENT_TABLES["phq9"]
        assert conn.execute(sa.select(sa.func.count(sa.distinct(q.c._era)))).scalar_one() > 3
        first_pk, expected = demo_person_phq9(conn)
    assert len(expected) >= 4
    with make_client(db, tmp_path) as c:
        assert login(c, user, password).status_code == 303  # type: ignore[attr-defined]
        r = c.get(f"/patients/{first_pk}/tracker")
        assert r.status_code == 200
        points = svg_points(r.text, "phq9")
        assert [v for _, v in points] == [str(total) for _, total in expected]
        assert [w for w, _ in points] == [when[:10] for when, _ in expected]
        clinical = c.get(f"/patients/{first_pk}/clinical").text
        assert clinical.count('data-table="phq9"') == len(expected)
        found = c.get("/patients", params={"surname": surname[:3].upper()}).text
        assert '<td data-label="Name"><a href="/patients/' in found


def test_demo_refuses_a_second_run(cli: Cli) -> None:
    cli("demo", "--patients", "1")
    out = cli("demo", "--patients", "1", ok=False)
    assert "already has a 'demo' user" in out
    assert "not in the range" in cli("demo", "--patients", "0", ok=False)
