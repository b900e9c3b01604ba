"""The Patients page: search by name prefix (case and accents ignored), birth date, ID number.

Runs on every backend: the folded-name keys, LIKE escaping, sorting and
paging are this feature's SQL.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
import sqlalchemy as sa

from copse.index.names import fold_name
from copse.schema.tables import CLIENT_TABLES
from tests.web import factories as fx
from tests.web.conftest import World


def names(html: str) -> list[str]:
    found = re.findall(r'<td data-label="Name"><a href="/patients/\d+">([^<]*)</a>', html)
    return [unescape(n) for n in found]


@pytest.fixture
def more(world: World) -> None:
    """Two accented namesakes and a patient with odd characters, all in group A."""
    with world.db.engine.begin() as conn:
        for cid, fore, sur, dob, num in (
            (2, "Émilie", "Ångström", "1975-07-08", 9434765919),
            (3, "emile", "ANGUS", "2001-02-03", 9000000003),
            (4, "Per%cent", "O'Brien_x", "1960-01-01", 9000000004),
        ):
            fx.make_patient(
                conn,
                device_id=world.device_a,
                group_id=world.group_a,
                client_id=cid,
                forename=fore,
                surname=sur,
                dob=dob,
                idnums={1: num},
            )
    fx.reindex(world.db.engine)


def test_fold_name() -> None:
    assert fold_name("  Ångström ") == "angstrom"
    assert fold_name("STRAẞE") == "strasse"
    assert fold_name("Øre Łukasz") == "ore lukasz"
    assert fold_name(None) == ""
    assert fold_name(" Mac  DONALD\t") == "mac donald"


def test_fold_name_of_ascii_is_the_general_fold() -> None:
    """The ASCII shortcut gives what decomposing and dropping marks gives."""
    ascii_text = "".join(map(chr, range(128)))
    for i in range(len(ascii_text)):
        text = ascii_text[i:] + ascii_text[:i] + "  x Y "
        # The same text with one more word, "é", goes the general way.
        assert fold_name(text + "é") == fold_name(text) + " e"


def test_search_by_each_field(world: World, more: None) -> None:
    c = world.logged_in("alice")
    r = c.get("/patients")
    assert r.status_code == 200
    # Everything visible to Alice, by folded surname; never Bob's patient.
    assert names(r.text) == [
        "Alpha, Ann",
        "Ångström, Émilie",
        "ANGUS, emile",
        "O'Brien_x, Per%cent",
    ]
    assert "Beta" not in r.text
    assert names(c.get("/patients?surname=ang").text) == ["Ångström, Émilie", "ANGUS, emile"]
    assert names(c.get("/patients?surname=ÅNGS").text) == ["Ångström, Émilie"]
    assert names(c.get("/patients?forename=emil").text) == ["Ångström, Émilie", "ANGUS, emile"]
    assert names(c.get("/patients?forename=EMILIE").text) == ["Ångström, Émilie"]
    assert names(c.get("/patients?dob=1975-07-08").text) == ["Ångström, Émilie"]
    r = c.get("/patients?idnum=943 476 5919")
    assert names(r.text) == ["Ångström, Émilie"]
    assert "NHS# 943 476 5919" in r.text
    r = c.get("/patients?surname=alp")
    assert names(r.text) == ["Alpha, Ann"]
    # Ann's PHQ-9: one task, its date; her age from the DOB.
    assert '<td data-label="Tasks">1</td>' in r.text
    assert "1 Feb 2024" in r.text
    assert re.search(r'<td data-label="Age">\d+</td>', r.text)


def test_wildcards_match_literally(world: World, more: None) -> None:
    c = world.logged_in("alice")
    assert names(c.get("/patients?surname=O'B").text) == ["O'Brien_x, Per%cent"]
    assert names(c.get("/patients?forename=per%25").text) == ["O'Brien_x, Per%cent"]
    assert names(c.get("/patients?forename=%25").text) == []
    assert names(c.get("/patients?surname=_").text) == []
    assert names(c.get("/patients?surname=o'brien_").text) == ["O'Brien_x, Per%cent"]


@pytest.mark.parametrize(
    "query",
    [
        "surname=%27%22%3B--",
        "surname=" + "x" * 2000,
        "forename=%E2%80%AE%F0%9F%98%80",
        "dob=1975-13-45",
        "dob=" + "9" * 2000,
        "idnum=abc",
        "idnum=" + "9" * 2000,
        "idnum=99999999999999999999",
        "page=999999",
        "page=-3",
        "page=x",
        "sort=nonsense",
        "surname=%00",
    ],
)
def test_bad_input_is_an_empty_result(world: World, more: None, query: str) -> None:
    r = world.logged_in("alice").get(f"/patients?{query}")
    assert r.status_code == 200, r.text
    if query.startswith(("page=-", "page=x", "sort=")):
        assert names(r.text)  # read as page 1 / the default order
    else:
        assert names(r.text) == []


def test_other_group_finds_nothing(world: World, more: None) -> None:
    c = world.logged_in("bob")
    assert names(c.get("/patients").text) == ["Beta, Ben"]
    for q in ("surname=ang", "idnum=9434765919", "dob=1975-07-08", "surname=alpha"):
        assert names(c.get(f"/patients?{q}").text) == []
    assert names(world.logged_in("root").get("/patients?surname=b").text) == ["Beta, Ben"]


def test_sort_and_page(world: World, more: None) -> None:
    c = world.logged_in("alice")
    assert names(c.get("/patients?sort=dob").text)[0] == "O'Brien_x, Per%cent"
    assert names(c.get("/patients?sort=last_task").text)[0] == "Alpha, Ann"
    with world.db.engine.begin() as conn:
        for i in range(30):
            fx.make_patient(
                conn,
                device_id=world.device_a,
                group_id=world.group_a,
                client_id=100 + i,
                forename="P",
                surname=f"Zed{i:02d}",
            )
    fx.reindex(world.db.engine)
    r1, r2 = c.get("/patients?surname=zed").text, c.get("/patients?surname=zed&page=2").text
    assert len(names(r1)) == 25 and len(names(r2)) == 5
    assert not set(names(r1)) & set(names(r2))
    assert "Page 1 of 2" in r1


def test_name_keys_follow_an_edit(world: World) -> None:
    """The keys are kept exact by the index maintenance (here: a patient edit)."""
    from copse.index.maintain import reindex_patients

    p = CLIENT_TABLES["patient"]
    with world.db.engine.begin() as conn:
        conn.execute(sa.update(p).where(p.c._pk == world.patient_a).values(surname="Ödegaard"))
        reindex_patients(conn, [world.patient_a], fx.datetime(2024, 3, 2))
    c = world.logged_in("alice")
    assert names(c.get("/patients?surname=ode").text) == ["Ödegaard, Ann"]
    assert names(c.get("/patients?surname=alpha").text) == []
