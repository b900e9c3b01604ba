"""Demo data: fake patients followed for months on two tablets, uploaded for real.

A newcomer should see a living server (patients, trackers, finalized eras,
audit trail) a minute after installing. The data is therefore not written
into the tables directly: each simulated upload is a one-step upload through
the same engine function the client API calls
(:func:`copse.sync.onestep.upload_entire_database`), in its own transaction,
so eras, record versions, the indexes and the audit log are exactly what real
tablets would produce.

Two tablets are simulated:

* a **clinic tablet** that sees each patient about monthly and finalizes
  ("moves off the tablet") after every clinic day, so each visit's patient
  row lives in its own era and the tablet starts empty again;
* a **ward tablet** that keeps its records (copying uploads) while some
  patients are admitted, and corrects one answer after upload (a second
  version of that task).

Scores follow a plausible course (most patients improve, some do not, a few
report thoughts of self-harm). Names, dates and numbers are generated from a
seeded random source, so a given seed always produces the same people.
NHS numbers carry a valid check digit (the ID policy validates them).
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import sqlalchemy as sa

from copse.accounts.users import create_group, create_user, get_user_by_name, set_membership
from copse.errors import UserError
from copse.schema.tables import devices, groups, idnum_definitions
from copse.sync import onestep
from copse.sync.batch import UploadContext
from copse.wire.values import encode_client_value
from copse.wire.version import make_version

DEMO_USER = "demo"
DEMO_GROUP = "demo"
#: The tablet app version the simulated tablets report.
CLIENT_VERSION = "2.4.24"
#: Patients have "sex and (full name and DOB, or an ID number)", as a typical site requires.
DEMO_POLICY = "sex AND ((forename AND surname AND dob) OR anyidnum)"
NHS_NUMBER = 1
HOSPITAL_NUMBER = 2
MONTHS = 6

FORENAMES_F = ("Amelia", "Olivia", "Isla", "Grace", "Priya", "Chloe", "Fatima", "Mei", "Ruth")
FORENAMES_M = ("Oliver", "Harry", "Jack", "Mohammed", "Arjun", "Thomas", "Kwame", "Liam", "Ewan")
SURNAMES = (
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Patel",
    "Wilson",
    "Khan",
    "Evans",
    "Okafor",
    "Thomas",
    "Roberts",
    "Nowak",
    "Walker",
    "O'Brien",
    "Zhang",
)


def nhs_number(rng: random.Random) -> int:
    """A random 10-digit number with a valid NHS (modulus 11) check digit."""
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        if check == 10:
            continue
        return int("".join(map(str, digits)) + str(0 if check == 11 else check))


@dataclass
class Person:
    """One fake patient and the course of their illness."""

    forename: str
    surname: str
    sex: str
    dob: date
    nhs: int
    mrn: int
    #: Depression severity (PHQ-9 scale) at the first visit and change per month.
    start: float
    slope: float
    drinks: bool

    def severity(self, month: float) -> float:
        return max(0.0, min(27.0, self.start + self.slope * month))


@dataclass
class Tablet:
    """What one simulated tablet holds: its rows per table, by client id."""

    device_id: int
    rows: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    next_ids: dict[str, int] = field(default_factory=dict)
    patient_ids: dict[int, int] = field(default_factory=dict)  # NHS number → client id

    def add(self, table: str, values: dict[str, Any]) -> int:
        cid = self.next_ids.get(table, 1)
        self.next_ids[table] = cid + 1
        self.rows.setdefault(table, {})[cid] = {"id": cid, "_move_off_tablet": 0, **values}
        return cid

    def clear(self) -> None:
        """After a finalizing upload the tablet keeps nothing."""
        self.rows.clear()
        self.patient_ids.clear()


def _spread(rng: random.Random, total: int, n_items: int, top: int) -> list[int]:
    """Item answers (0..top each) summing to ``total`` (capped), scattered over items."""
    total = max(0, min(total, n_items * top))
    answers = [0] * n_items
    for _ in range(total):
        free = [i for i, a in enumerate(answers) if a < top]
        answers[rng.choice(free)] += 1
    return answers


class DemoBuilder:
    """Runs the simulation against an engine; one transaction per upload."""

    def __init__(self, engine: sa.Engine, n_patients: int, seed: int, now: datetime) -> None:
        self.engine = engine
        self.rng = random.Random(seed)
        self.n_patients = n_patients
        self.now = now
        self.version = make_version(CLIENT_VERSION)

    # ------------------------------------------------------------- set-up
    def create_site(self, password: str, bcrypt_rounds: int) -> tuple[int, int]:
        """Group, ID number types, user and two registered tablets; refuses a second run."""
        with self.engine.begin() as conn:
            if get_user_by_name(conn, DEMO_USER) is not None:
                raise UserError(
                    f"This database already has a {DEMO_USER!r} user: demo data is only "
                    "added to a database without it"
                )
            existing = {
                int(r.which_idnum) for r in conn.execute(sa.select(idnum_definitions.c.which_idnum))
            }
            for which, desc, short, method in (
                (NHS_NUMBER, "NHS number", "NHS#", "uk_nhs_number"),
                (HOSPITAL_NUMBER, "Hospital number", "MRN", ""),
            ):
                if which not in existing:
                    conn.execute(
                        sa.insert(idnum_definitions).values(
                            which_idnum=which,
                            description=desc,
                            short_description=short,
                            validation_method=method,
                        )
                    )
            group_id = create_group(conn, DEMO_GROUP, "Demonstration data (fake patients)")
            conn.execute(
                sa.update(groups)
                .where(groups.c.id == group_id)
                .values(upload_policy=DEMO_POLICY, finalize_policy=DEMO_POLICY)
            )
            user_id = create_user(
                conn,
                DEMO_USER,
                password,
                upload_group_id=group_id,
                fullname="Demo clinician",
                bcrypt_rounds=bcrypt_rounds,
                now=self.now.replace(tzinfo=None),
            )
            set_membership(
                conn,
                user_id,
                group_id,
                groupadmin=True,
                may_upload=True,
                may_register_devices=True,
                may_use_webviewer=True,
                may_add_notes=True,
                may_run_reports=True,
                may_dump_data=True,
                view_all_patients_when_unfiltered=True,
            )
            for name, friendly in (("demo-clinic", "Clinic tablet"), ("demo-ward", "Ward tablet")):
                conn.execute(
                    sa.insert(devices).values(
                        name=name,
                        friendly_name=friendly,
                        camcops_version=CLIENT_VERSION,
                        registered_by_user_id=user_id,
                        when_registered_utc=self.start.replace(tzinfo=None),
                        currently_preserving=False,
                    )
                )
        return group_id, user_id

    # ------------------------------------------------------------- people
    @property
    def start(self) -> datetime:
        return self.now - timedelta(days=30 * MONTHS + 7)

    def people(self) -> list[Person]:
        rng = self.rng
        out: list[Person] = []
        for _ in range(self.n_patients):
            sex = rng.choice("FM")
            out.append(
                Person(
                    forename=rng.choice(FORENAMES_F if sex == "F" else FORENAMES_M),
                    surname=rng.choice(SURNAMES),
                    sex=sex,
                    dob=date(rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28)),
                    nhs=nhs_number(rng),
                    mrn=rng.randint(1_000_000, 9_999_999),
                    start=rng.uniform(8, 24),
                    slope=rng.choice((-2.5, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5)),
                    drinks=rng.random() < 0.4,
                )
            )
        return out

    # ------------------------------------------------------------ records
    def _patient(self, tablet: Tablet, p: Person, when: datetime) -> int:
        if p.nhs in tablet.patient_ids:
            return tablet.patient_ids[p.nhs]
        pid = tablet.add(
            "patient",
            {
                "forename": p.forename,
                "surname": p.surname,
                "sex": p.sex,
                "dob": p.dob.isoformat(),
                "when_last_modified": when,
            },
        )
        for which, value in ((NHS_NUMBER, p.nhs), (HOSPITAL_NUMBER, p.mrn)):
            tablet.add(
                "patient_idnum",
                {
                    "patient_id": pid,
                    "which_idnum": which,
                    "idnum_value": value,
                    "when_last_modified": when,
                },
            )
        tablet.patient_ids[p.nhs] = pid
        return pid

    def _task(
        self, tablet: Tablet, table: str, pid: int, when: datetime, answers: Mapping[str, Any]
    ) -> int:
        took = self.rng.randint(90, 600)
        return tablet.add(
            table,
            {
                "patient_id": pid,
                "when_created": when,
                "when_firstexit": when + timedelta(seconds=took),
                "firstexit_is_finish": 1,
                "firstexit_is_abort": 0,
                "editing_time_s": float(took),
                "when_last_modified": when + timedelta(seconds=took),
                **answers,
            },
        )

    def _visit(self, tablet: Tablet, p: Person, when: datetime, month: float) -> None:
        rng = self.rng
        pid = self._patient(tablet, p, when)
        sev = p.severity(month) + rng.uniform(-2, 2)
        phq = _spread(rng, round(sev), 8, 3)
        q9 = 0 if sev < 14 or rng.random() < 0.6 else rng.randint(1, 2)
        phq9 = {f"q{i + 1}": a for i, a in enumerate(phq)} | {
            "q9": q9,
            "q10": min(3, round(sev / 8)),
        }
        self._task(tablet, "phq9", pid, when, phq9)
        gad = _spread(rng, round(sev * 0.7 + rng.uniform(-2, 2)), 7, 3)
        t = when + timedelta(minutes=8)
        self._task(tablet, "gad7", pid, t, {f"q{i + 1}": a for i, a in enumerate(gad)})
        if p.drinks:
            audit_c = _spread(rng, rng.randint(3, 9), 3, 4)
            self._task(
                tablet,
                "audit_c",
                pid,
                t + timedelta(minutes=5),
                {f"q{i + 1}": a for i, a in enumerate(audit_c)},
            )
        if month in (0, MONTHS - 1):
            core = _spread(rng, round(sev * 1.2), 10, 4)
            self._task(
                tablet,
                "core10",
                pid,
                t + timedelta(minutes=10),
                {f"q{i + 1}": a for i, a in enumerate(core)},
            )

    # ------------------------------------------------------------- upload
    def upload(
        self, tablet: Tablet, user_id: int, group_id: int, at: datetime, final: bool
    ) -> None:
        """One one-step upload of the tablet's whole database, as the API runs it."""
        ctx = UploadContext(
            device_id=tablet.device_id,
            user_id=user_id,
            group_id=group_id,
            username=DEMO_USER,
            client_version=self.version,
            client_version_str=CLIENT_VERSION,
            now_utc=at.astimezone(UTC).replace(tzinfo=None),
            remote_addr="127.0.0.1",
        )
        dbdata = {
            table: [{k: encode_client_value(v) for k, v in row.items()} for row in rows.values()]
            for table, rows in tablet.rows.items()
        }
        pknames = {table: "id" for table in dbdata}
        with self.engine.begin() as conn:
            payload = onestep.decode_payload(ctx, pknames, dbdata)
            onestep.upload_entire_database(conn, ctx, final, payload)
        if final:
            tablet.clear()

    def run(self, group_id: int, user_id: int, clinic_id: int, ward_id: int) -> Summary:
        """Simulate the months of clinic and ward work, oldest first."""
        people = self.people()
        clinic, ward = Tablet(clinic_id), Tablet(ward_id)
        # (when, action) pairs, run in time order so each tablet's uploads are in order.
        events: list[tuple[datetime, int, Callable[[], None]]] = []
        seq = 0

        def at(when: datetime, action: Callable[[], None]) -> None:
            nonlocal seq
            events.append((when, seq, action))
            seq += 1

        n_tasks = 0
        clinic_days: set[datetime] = set()
        for i, p in enumerate(people):
            offset = timedelta(days=7 * (i % 4) + self.rng.randint(0, 2), hours=9 + i % 7)
            for month in range(MONTHS):
                when = self.start + timedelta(days=30 * month) + offset
                if when >= self.now:
                    break
                at(when, partial(self._visit, clinic, p, when, month))
                # The clinic tablet is uploaded and cleared at the end of that day.
                end = when.replace(hour=18, minute=0, second=0, microsecond=0)
                if end < self.now and end not in clinic_days:
                    clinic_days.add(end)
                    at(end, partial(self.upload, clinic, user_id, group_id, end, True))
                n_tasks += 2 + p.drinks + (month in (0, MONTHS - 1))
            if i % 3 == 0:  # admitted for four weeks in months 2-3: weekly PHQ-9 on the ward
                for week in range(4):
                    when = self.start + timedelta(days=65 + 7 * week + i % 5, hours=11)
                    at(when, partial(self._visit, ward, p, when, 2 + week / 4))
                    n_tasks += 2 + p.drinks
        for week in range(16):  # the ward tablet copies its data weekly, keeping it
            when = self.start + timedelta(days=60 + 7 * week, hours=20)
            if when < self.now:
                at(when, partial(self.upload, ward, user_id, group_id, when, False))
        # A correction on the ward: an answer changed after upload (a second version).
        fix = self.start + timedelta(days=60 + 7 * 15, hours=19)
        at(fix, partial(self._correct, ward))
        for _, _, action in sorted(events, key=lambda e: (e[0], e[1])):
            action()
        # Today's work, if any, is uploaded without finalizing (still on the tablets).
        latest = self.now - timedelta(minutes=30)
        if clinic.rows:
            self.upload(clinic, user_id, group_id, latest, final=False)
        self.upload(ward, user_id, group_id, latest, final=False)
        return Summary(len(people), n_tasks)

    def _correct(self, tablet: Tablet) -> None:
        rows = tablet.rows.get("phq9", {})
        if rows:
            row = rows[min(rows)]
            row["q10"] = (int(row.get("q10") or 0) + 1) % 4
            row["when_last_modified"] = row["when_last_modified"] + timedelta(days=30)


@dataclass(frozen=True)
class Summary:
    patients: int
    tasks: int


def fill_demo(
    engine: sa.Engine,
    *,
    n_patients: int = 20,
    seed: int = 1,
    password: str | None = None,
    bcrypt_rounds: int = 10,
    now: datetime | None = None,
) -> tuple[str, str, Summary]:
    """Add the demo site and its data; returns (username, password, summary).

    The database must already have its schema. Refuses a database that
    already has the demo user (run it on a fresh database).
    """
    if not 1 <= n_patients <= 10_000:
        raise UserError("The number of demo patients must be between 1 and 10000")
    password = password or secrets.token_urlsafe(12)
    builder = DemoBuilder(engine, n_patients, seed, now or datetime.now(UTC))
    group_id, user_id = builder.create_site(password, bcrypt_rounds)
    with engine.connect() as conn:
        clinic, ward = (
            int(conn.execute(sa.select(devices.c.id).where(devices.c.name == n)).scalar_one())
            for n in ("demo-clinic", "demo-ward")
        )
    summary = builder.run(group_id, user_id, clinic, ward)
    return DEMO_USER, password, summary
