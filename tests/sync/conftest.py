"""Engine-level test harness: upload handlers called directly on a real connection."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from copse.accounts.users import User, create_group, create_user, get_user_by_id, set_membership
from copse.api.context import ApiRequest, Caller
from copse.api.operations import OPERATIONS, load_all
from copse.config import Settings
from copse.records.devicelock import lock_device_named
from copse.schema.registry import TABLES
from copse.schema.tables import CLIENT_TABLES, audit, devices, groups, idnum_definitions
from copse.sync.invariants import check_invariants
from copse.wire.form import Form
from copse.wire.values import encode_client_csv
from copse.wire.version import make_version
from tests.support.databases import Backend

T0 = datetime.datetime(2024, 1, 1, 12, 0, 0)
NHS_OK = 9434765919  # a valid NHS number (checksum)

USED_TABLES = (
    "ref_satis_gen",
    "patient",
    "patient_idnum",
    "blobs",
    "progressnote",
    "photosequence",
    "photosequence_photos",
    "bmi",
)

SATIS_FIELDS = ["id", "rating", "when_created", "when_last_modified", "_move_off_tablet"]


def when(minute: int, offset: str = "+00:00", hour: int = 10) -> str:
    """A tablet-style timestamp; different offsets may denote the same instant."""
    return f"2024-01-01T{hour:02d}:{minute:02d}:00.000{offset}"


def satis(cid: int, minute: int, rating: int | None = 1, move_off: int | None = 0) -> list[Any]:
    return [cid, rating, when(0), when(minute), move_off]


class Harness:
    """A site with one group, user, NHS ID type and registered device; runs operations."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.engine = backend.engine
        self.settings = Settings()
        self.version = "2.4.24"
        self.clock = T0
        load_all()
        if backend.name == "mysql":
            # The wipe uses DELETE, which keeps InnoDB's counters; the audit
            # texts in these tests name server PKs, so restart them at 1.
            with self.engine.begin() as conn:
                for t in USED_TABLES:
                    conn.exec_driver_sql(f"ALTER TABLE `{t}` AUTO_INCREMENT = 1")
        with self.engine.begin() as conn:
            self.group_id = create_group(conn, "ward1")
            # Engine tests use minimal patients; the upload-time ID-policy
            # check has its own tests (tests/patients, tests/e2e).
            conn.execute(
                sa.update(groups)
                .where(groups.c.id == self.group_id)
                .values(check_policy_on_upload=False)
            )
            self.user_id = create_user(
                conn, "alice", "pw-alice-1", upload_group_id=self.group_id, bcrypt_rounds=4
            )
            self.user2_id = create_user(
                conn, "bob", "pw-bob-1", upload_group_id=self.group_id, bcrypt_rounds=4
            )
            for uid in (self.user_id, self.user2_id):
                set_membership(conn, uid, self.group_id, may_upload=True, may_register_devices=True)
            conn.execute(
                sa.insert(idnum_definitions).values(
                    which_idnum=1,
                    description="NHS number",
                    short_description="NHS#",
                    validation_method="uk_nhs_number",
                )
            )
            self.device_id = int(
                conn.execute(
                    sa.insert(devices).values(
                        name="dev1", friendly_name="Ward tablet", currently_preserving=False
                    )
                ).inserted_primary_key[0]
            )
            self.user = get_user_by_id(conn, self.user_id)
            self.user2 = get_user_by_id(conn, self.user2_id)

    # -- calling operations ------------------------------------------------

    def tick(self, seconds: float = 1.0) -> datetime.datetime:
        self.clock += datetime.timedelta(seconds=seconds)
        return self.clock

    def request(
        self, operation: str, user: User | None = None, version: str | None = None, **form: Any
    ) -> ApiRequest:
        user = user or self.user
        fields = {
            k: (
                v
                if isinstance(v, str)
                else json.dumps(v)
                if isinstance(v, (dict, list))
                else str(v)
            )
            for k, v in form.items()
        }
        fields["operation"] = operation
        v = version or self.version
        return ApiRequest(
            settings=self.settings,
            form=Form(fields),
            operation=operation,
            device_name="dev1",
            username=user.username,
            password=None,
            client_version=make_version(v),
            client_version_str=v,
            remote_addr="127.0.0.1",
            now_utc=self.tick(),
        )

    def call(
        self, operation: str, user: User | None = None, version: str | None = None, **form: Any
    ) -> Any:
        """Run one operation in its own transaction, as the endpoint does."""
        req = self.request(operation, user, version, **form)
        with self.engine.begin() as conn:
            # As the endpoint: the device locked first, its batch columns read with it.
            locked = lock_device_named(conn, "dev1")
            assert locked is not None and locked.id == self.device_id
            caller = Caller(user or self.user, self.device_id, locked=locked)
            return OPERATIONS[operation].handler(conn, req, caller)

    def upload_table(
        self,
        table: str,
        fields: list[str],
        records: list[list[Any]],
        version: str | None = None,
        **extra: Any,
    ) -> Any:
        form: dict[str, Any] = {
            "table": table,
            "fields": ",".join(fields),
            "pkname": "id",
            "nrecords": len(records),
        }
        for i, r in enumerate(records):
            form[f"record{i}"] = encode_client_csv(r)
        form.update(extra)
        return self.call("upload_table", version=version, **form)

    def stepwise(
        self,
        tables: dict[str, tuple[list[str], list[list[Any]]]],
        preserve: bool = False,
        user: User | None = None,
    ) -> None:
        """A whole stepwise upload like the real client's (without blobs record-wise)."""
        u = user or self.user
        self.call("start_upload", user=u)
        if preserve:
            self.call("start_preservation", user=u)
        empty = [t for t, (_, recs) in tables.items() if not recs]
        if empty:
            self.call("upload_empty_tables", user=u, tables=",".join(empty))
        for t, (fields, recs) in sorted(tables.items()):
            if recs:
                form: dict[str, Any] = {
                    "table": t,
                    "fields": ",".join(fields),
                    "pkname": "id",
                    "nrecords": len(recs),
                }
                for i, r in enumerate(recs):
                    form[f"record{i}"] = encode_client_csv(r)
                self.call("upload_table", user=u, **form)
        self.call("end_upload", user=u)

    def onestep(
        self,
        tables: dict[str, tuple[list[str], list[list[Any]]]],
        finalizing: bool = False,
        pknames: dict[str, str] | None = None,
    ) -> Any:
        from copse.wire.values import encode_client_value

        dbdata = {
            t: [dict(zip(f, (encode_client_value(v) for v in r), strict=True)) for r in recs]
            for t, (f, recs) in tables.items()
        }
        pk = pknames or {t: "id" for t in tables}
        return self.call(
            "upload_entire_database",
            finalizing=int(finalizing),
            pknameinfo=json.dumps(pk),
            dbdata=json.dumps(dbdata),
        )

    # -- reading state ---------------------------------------------------

    def prefix(self, username: str = "alice") -> str:
        return f"Upload from device {self.device_id}, username {username!r}: "

    def rows(self, table: str, **where: Any) -> list[Any]:
        t = CLIENT_TABLES[table]
        q = sa.select(t).where(*(t.c[k] == v for k, v in where.items())).order_by(t.c._pk)
        with self.engine.connect() as conn:
            return list(conn.execute(q))

    def current(self, table: str, era: str = "NOW") -> dict[int, Any]:
        return {r.id: r for r in self.rows(table, _era=era) if r._current}

    def audits(self) -> list[str]:
        with self.engine.connect() as conn:
            return [d for (d,) in conn.execute(sa.select(audit.c.details).order_by(audit.c.id))]

    def device(self) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(devices).where(devices.c.id == self.device_id)).one()

    def dirty(self) -> set[str]:
        from copse.sync.batch import get_dirty

        with self.engine.connect() as conn:
            return get_dirty(conn, self.device_id)

    def invariants(self) -> list[str]:
        """Lifecycle invariants, and both indexes exact after every scenario."""
        from tests.support.upload_checks import index_problems

        with self.engine.connect() as conn:
            problems = check_invariants(conn)
        return problems + index_problems(self.engine)


@pytest.fixture
def h(db: Backend) -> Iterator[Harness]:
    harness = Harness(db)
    yield harness


assert "ref_satis_gen" in TABLES
