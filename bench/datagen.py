"""Deterministic, realistic tablet data for the benchmarks.

Independent of the test simulator (tests/support/tablet.py) on purpose, so the
tests and the benchmarks can evolve separately; the wire encoding is shared:
every value is encoded with ``copse.wire.values.encode_client_value``.

A :class:`TabletData` is the client's data database: table name -> client PK
-> row (client column name -> Python value as the tablet stores it: ints,
floats, TEXT, BLOB bytes, datetimes as ``yyyy-MM-ddTHH:mm:ss.zzz+HH:MM`` text).
Everything derives from ``random.Random(seed)``, so one seed gives one tablet.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from copse.schema.registry import BLOB_TABLE, PATIENT_IDNUM_TABLE, PATIENT_TABLE, TABLES
from copse.wire.values import encode_client_value

Row = dict[str, Any]

#: Task tables used, in the order task records are dealt out to a patient.
#: photosequence and diagnosis_icd10 have ancillary rows; photos are BLOBs.
TASK_CYCLE = (
    "phq9",
    "gad7",
    "bmi",
    "progressnote",
    "diagnosis_icd10",
    "phq9",
    "gad7",
    "photosequence",
)

FORENAMES = (
    "ALICE",
    "BOB",
    "CAROL",
    "DAVID",
    "ERIN",
    "FRANK",
    "GRACE",
    "HEIDI",
    "IVAN",
    "JUDY",
    "MALLORY",
    "NIAJ",
    "OLIVIA",
    "PEGGY",
    "RUPERT",
    "SYBIL",
    "TRENT",
    "VICTOR",
    "WALTER",
)
SURNAMES = (
    "SMITH",
    "JONES",
    "TAYLOR",
    "BROWN",
    "WILLIAMS",
    "WILSON",
    "JOHNSON",
    "DAVIES",
    "O'BRIEN",
    "ROBINSON",
    "WRIGHT",
    "THOMPSON",
    "EVANS",
    "WALKER",
    "WHITE",
    "ROBERTS",
    "GREEN",
)
WORDS = (
    "patient",
    "reports",
    "low",
    "mood",
    "sleep",
    "improved",
    "since",
    "last",
    "review",
    "no",
    "risk",
    "to",
    "self",
    "or",
    "others",
    "plan",
    "continue",
    "sertraline",
    "50mg",
    "follow-up",
    "in",
    "four",
    "weeks",
    "family",
    "present",
    "discussed",
    "options",
    "'quoted'",
    "line\nbreak",
)
ICD10 = (
    ("F32.1", "Moderate depressive episode"),
    ("F41.1", "Generalized anxiety disorder"),
    ("F20.0", "Paranoid schizophrenia"),
    ("F31.3", "Bipolar affective disorder, current episode mild"),
    ("F43.1", "Post-traumatic stress disorder"),
    ("F10.2", "Alcohol dependence syndrome"),
)


def nhs_number(n: int) -> int:
    """A valid 10-digit NHS number (mod-11 check digit) from any integer."""
    base = 400_000_000 + (n * 104_729) % 500_000_000
    while True:
        digits = [int(d) for d in str(base)]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            return base * 10 + check
        base += 1


@dataclass(frozen=True)
class Size:
    """How big a tablet is: patients, task records per patient, photos and their sizes."""

    name: str
    patients: int
    tasks_per_patient: int
    photos: int
    photo_min: int = 100_000
    photo_max: int = 2_000_000

    @property
    def task_rows(self) -> int:
        return self.patients * self.tasks_per_patient


#: Named sizes.  "2mb" is the real client's one-step limit (a ~2 MB tablet DB).
SIZES: dict[str, Size] = {
    "tiny": Size("tiny", 3, 8, 2, 20_000, 40_000),
    "2mb": Size("2mb", 20, 10, 4, 150_000, 700_000),
    "10k": Size("10k", 200, 50, 20, 100_000, 300_000),
    "20k": Size("20k", 400, 50, 20, 100_000, 300_000),
    "large": Size("large", 1000, 100, 500, 100_000, 2_000_000),
}


class Clock:
    """The tablet's clock: strictly increasing, millisecond text with a +01:00 offset."""

    def __init__(self, start: datetime.datetime, rng: random.Random) -> None:
        self.t = start.replace(tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
        self.rng = rng

    def now(self) -> str:
        self.t += datetime.timedelta(milliseconds=self.rng.randint(1, 90_000))
        return self.t.isoformat(timespec="milliseconds")


@dataclass
class TabletData:
    """A tablet's data database (every client table present, most empty)."""

    seed: int
    db: dict[str, dict[int, Row]] = field(default_factory=dict)
    clock: Clock | None = None

    # -- building -----------------------------------------------------------

    def new_row(self, table: str, **values: Any) -> Row:
        assert self.clock is not None
        info = TABLES[table]
        rows = self.db[table]
        row: Row = {c.name: None for c in info.columns}
        row["id"] = max(rows, default=0) + 1
        now = self.clock.now()
        if "when_created" in info.column_names:
            row["when_created"] = now
        row["when_last_modified"] = now
        row["_move_off_tablet"] = None  # the real client leaves a new record's flag NULL
        row.update(values)
        rows[row["id"]] = row
        return row

    # -- facts ----------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        return {t: len(r) for t, r in self.db.items() if r}

    @property
    def n_rows(self) -> int:
        return sum(len(r) for r in self.db.values())

    @property
    def n_task_rows(self) -> int:
        return sum(len(r) for t, r in self.db.items() if TABLES[t].is_task)

    @property
    def blob_bytes(self) -> int:
        return sum(len(b["theblob"] or b"") for b in self.db[BLOB_TABLE].values())

    def approx_db_bytes(self) -> int:
        """Roughly the client's SQLite file size: the encoded values' lengths (BLOBs raw)."""
        total = 0
        for rows in self.db.values():
            for r in rows.values():
                for v in r.values():
                    total += len(v) if isinstance(v, (bytes, str)) else 8
        return total

    def columns(self, table: str) -> list[str]:
        return [c.name for c in TABLES[table].columns]

    def encoded_rows(self, table: str) -> list[list[str]]:
        cols = self.columns(table)
        return [
            [encode_client_value(self.db[table][k][c]) for c in cols]
            for k in sorted(self.db[table])
        ]

    # -- edits ------------------------------------------------------------------

    def touch_fraction(self, fraction: float, rng_seed: int) -> int:
        """Edit ``fraction`` of the non-BLOB records (a changed value and a new
        ``when_last_modified``); returns how many were edited."""
        assert self.clock is not None
        rng = random.Random(rng_seed)
        keys = [(t, k) for t in sorted(self.db) if t != BLOB_TABLE for k in sorted(self.db[t])]
        n = max(1, round(len(keys) * fraction))
        for t, k in rng.sample(keys, n):
            row = self.db[t][k]
            if "editing_time_s" in row:
                row["editing_time_s"] = round(rng.uniform(10, 900), 3)
            elif "comment" in row:
                row["comment"] = "edited " + str(rng.randint(0, 10**6))
            row["when_last_modified"] = self.clock.now()
        return n

    def wipe(self) -> None:
        """What the client does after a successful Move: everything goes."""
        for rows in self.db.values():
            rows.clear()


def _text(rng: random.Random, lo: int, hi: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))


def _task_common(rng: random.Random, td: TabletData, patient_id: int) -> dict[str, Any]:
    assert td.clock is not None
    return {
        "patient_id": patient_id,
        "when_firstexit": td.clock.now(),
        "firstexit_is_finish": 1,
        "firstexit_is_abort": 0,
        "editing_time_s": round(rng.uniform(20, 600), 3),
    }


def _clinician(rng: random.Random) -> dict[str, Any]:
    return {
        "clinician_specialty": "Psychiatry",
        "clinician_name": "Dr " + rng.choice(SURNAMES).title(),
        "clinician_professional_registration": f"GMC {rng.randint(1_000_000, 9_999_999)}",
        "clinician_post": "Consultant",
        "clinician_service": "Liaison",
        "clinician_contact_details": f"ext {rng.randint(1000, 9999)}",
    }


def generate(size: Size, seed: int = 1, *, first_patient: int = 0) -> TabletData:
    """One tablet's data.  ``first_patient`` offsets the NHS numbers, so that
    several tablets (devices) of one run hold different patients."""
    rng = random.Random(f"{seed}:{size.name}:{first_patient}")
    td = TabletData(seed, {t: {} for t in sorted(TABLES)})
    td.clock = Clock(datetime.datetime(2024, 1, 8, 9, 0, 0), rng)
    # Deal the photos to the photosequence tasks: roughly evenly, at least one each when possible.
    n_seq = sum(
        1
        for i in range(size.tasks_per_patient)
        if TASK_CYCLE[i % len(TASK_CYCLE)] == "photosequence"
    )
    n_seq *= size.patients
    per_seq = [0] * n_seq
    for i in range(size.photos):
        if n_seq:
            per_seq[(i * 7919) % n_seq] += 1
    seq_index = 0
    for p in range(size.patients):
        pid = td.new_row(
            PATIENT_TABLE,
            forename=rng.choice(FORENAMES),
            surname=rng.choice(SURNAMES),
            dob=f"{rng.randint(1930, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            sex=rng.choice("FM"),
            address=f"{rng.randint(1, 200)} High Street\nCambridge",
            gp="Dr Who, Surgery Lane",
            other=None,
        )["id"]
        td.new_row(
            PATIENT_IDNUM_TABLE,
            patient_id=pid,
            which_idnum=1,
            idnum_value=nhs_number(first_patient + p + 1),
        )
        for i in range(size.tasks_per_patient):
            table = TASK_CYCLE[i % len(TASK_CYCLE)]
            common = _task_common(rng, td, pid)
            if table == "phq9":
                td.new_row(table, **common, **{f"q{j}": rng.randint(0, 3) for j in range(1, 11)})
            elif table == "gad7":
                td.new_row(table, **common, **{f"q{j}": rng.randint(0, 3) for j in range(1, 8)})
            elif table == "bmi":
                td.new_row(
                    table,
                    **common,
                    height_m=round(rng.uniform(1.45, 2.0), 2),
                    mass_kg=round(rng.uniform(45, 130), 1),
                    waist_cm=round(rng.uniform(60, 130), 1),
                    comment=_text(rng, 0, 6) or None,
                )
            elif table == "progressnote":
                td.new_row(
                    table, **common, **_clinician(rng), location="Ward 3", note=_text(rng, 20, 120)
                )
            elif table == "diagnosis_icd10":
                did = td.new_row(
                    table,
                    **common,
                    **_clinician(rng),
                    relates_to_date=f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                )["id"]
                for s in range(rng.randint(1, 3)):
                    code, desc = rng.choice(ICD10)
                    td.new_row(
                        "diagnosis_icd10_item",
                        diagnosis_icd10_id=did,
                        seqnum=s + 1,
                        code=code,
                        description=desc,
                        comment=_text(rng, 0, 5) or None,
                    )
            elif table == "photosequence":
                sid = td.new_row(
                    table, **common, **_clinician(rng), sequence_description="Wound photographs"
                )["id"]
                k = per_seq[seq_index] if seq_index < len(per_seq) else 0
                seq_index += 1
                for s in range(k):
                    ph = td.new_row(
                        "photosequence_photos",
                        photosequence_id=sid,
                        seqnum=s + 1,
                        description=f"view {s + 1}",
                        rotation=0,
                    )
                    data = rng.randbytes(rng.randint(size.photo_min, size.photo_max))
                    bid = td.new_row(
                        BLOB_TABLE,
                        tablename="photosequence_photos",
                        tablepk=ph["id"],
                        fieldname="photo_blobid",
                        filename=f"photo{ph['id']}.jpg",
                        mimetype="image/jpeg",
                        image_rotation_deg_cw=0,
                        theblob=data,
                    )["id"]
                    ph["photo_blobid"] = bid
    return td


def describe(td: TabletData) -> str:
    return (
        f"{td.n_task_rows} task rows, {td.n_rows} rows in all, "
        f"{len(td.db[BLOB_TABLE])} photos ({td.blob_bytes / 1e6:.1f} MB), "
        f"~{td.approx_db_bytes() / 1e6:.1f} MB tablet DB"
    )
