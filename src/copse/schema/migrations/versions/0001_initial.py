"""Initial schema: server tables and the 152 client tables of CamCOPS 2.4.24.

Everything this revision creates is written out here, frozen: the server
tables below, and the client tables from ``0001_client_tables.json`` (each
table's client columns and kinds and its patient/parent link column, copied
from the registry when this revision was made) with the server columns and
indexes defined in this file.  Nothing is taken from the live metadata
(``copse.schema.tables``) or the live registry, so changing either can never
change what this revision does; every change to the schema is a later
revision (0002 task schedules, 0003 ``last_finalizing_eras``).
tests/reliability/test_migrations.py checks that the revisions together
produce exactly the live metadata on every backend.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_CLIENT_TABLES_FILE = Path(__file__).with_name("0001_client_tables.json")

_MYSQL: dict[str, Any] = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
    "mysql_engine": "InnoDB",
}
_LONG_TEXT = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
_LONG_BLOB = sa.LargeBinary().with_variant(mysql.LONGBLOB(), "mysql", "mariadb")
_DOUBLE: sa.types.TypeEngine[float] = sa.Double().with_variant(
    mysql.DOUBLE(asdecimal=False), "mysql", "mariadb"
)
_ISO_TEXT = sa.String(40)
_ERA = sa.String(32)
_VERSION = sa.String(147)
_UTC = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")

_IP_FLAGS = ("clinical", "commercial", "educational", "research")
_MEMBERSHIP_FLAGS = (
    "groupadmin",
    "may_upload",
    "may_register_devices",
    "may_use_webviewer",
    "view_all_patients_when_unfiltered",
    "may_dump_data",
    "may_run_reports",
    "may_add_notes",
    "may_manage_patients",
    "may_email_patients",
)


def _table(name: str, *items: Any, **kw: Any) -> None:
    op.create_table(name, *items, **_MYSQL, **kw)


def _index(table: str, *cols: str, name: str | None = None, unique: bool = False) -> None:
    op.create_index(name or f"ix_{table}_{'_'.join(cols)}", table, list(cols), unique=unique)


def _pk(table: str, *cols: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*cols, name=f"pk_{table}")


def _fk(table: str, col: str, target: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([col], [target], name=f"fk_{table}_{col}", ondelete=ondelete)


def _server_tables() -> None:
    t = "_security_ip_use"
    _table(
        t,
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        *(sa.Column(f, sa.Boolean, nullable=False) for f in _IP_FLAGS),
        _pk(t, "id"),
    )
    t = "_security_groups"
    _table(
        t,
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("name", sa.String(191), nullable=False),
        sa.Column("description", sa.String(255)),
        sa.Column("upload_policy", sa.String(255)),
        sa.Column("finalize_policy", sa.String(255)),
        sa.Column("ip_use_id", sa.Integer),
        sa.Column("check_policy_on_upload", sa.Boolean, nullable=False),
        _pk(t, "id"),
        _fk(t, "ip_use_id", "_security_ip_use.id"),
        sa.UniqueConstraint("name", name=f"uq_{t}_name"),
    )
    t = "_security_group_group"
    _table(
        t,
        sa.Column("group_id", sa.Integer, nullable=False),
        sa.Column("can_see_group_id", sa.Integer, nullable=False),
        _pk(t, "group_id", "can_see_group_id"),
        _fk(t, "group_id", "_security_groups.id"),
        _fk(t, "can_see_group_id", "_security_groups.id"),
    )
    t = "_security_users"
    _table(
        t,
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("username", sa.String(191), nullable=False),
        sa.Column("fullname", sa.String(255)),
        sa.Column("email", sa.String(255)),
        sa.Column("phone_number", sa.String(50)),
        sa.Column("hashedpw", sa.String(60), nullable=False),
        sa.Column("mfa_secret_key", sa.String(32)),
        sa.Column("mfa_method", sa.String(20), nullable=False),
        sa.Column("hotp_counter", sa.Integer, nullable=False),
        sa.Column("last_login_at_utc", _UTC),
        sa.Column("last_password_change_utc", _UTC),
        sa.Column("superuser", sa.Boolean, nullable=False),
        sa.Column("must_change_password", sa.Boolean, nullable=False),
        sa.Column("when_agreed_terms_of_use", _UTC),
        sa.Column("upload_group_id", sa.Integer),
        sa.Column("language", sa.String(6)),
        sa.Column("auto_generated", sa.Boolean, nullable=False),
        sa.Column("single_patient_pk", sa.Integer),
        _pk(t, "id"),
        _fk(t, "upload_group_id", "_security_groups.id"),
        sa.UniqueConstraint("username", name=f"uq_{t}_username"),
    )
    t = "_security_user_group"
    _table(
        t,
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("group_id", sa.Integer, nullable=False),
        *(sa.Column(f, sa.Boolean, nullable=False) for f in _MEMBERSHIP_FLAGS),
        _pk(t, "id"),
        _fk(t, "user_id", "_security_users.id", ondelete="CASCADE"),
        _fk(t, "group_id", "_security_groups.id", ondelete="CASCADE"),
        sa.UniqueConstraint("user_id", "group_id", name=f"uq_{t}_user_id_group_id"),
    )
    t = "_security_devices"
    _table(
        t,
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("name", sa.String(191)),
        sa.Column("registered_by_user_id", sa.Integer),
        sa.Column("when_registered_utc", _UTC),
        sa.Column("friendly_name", _LONG_TEXT),
        sa.Column("camcops_version", _VERSION),
        sa.Column("last_upload_batch_utc", _UTC),
        sa.Column("ongoing_upload_batch_utc", _UTC),
        sa.Column("uploading_user_id", sa.Integer),
        sa.Column("currently_preserving", sa.Boolean),
        _pk(t, "id"),
        _fk(t, "registered_by_user_id", "_security_users.id"),
        _fk(t, "uploading_user_id", "_security_users.id"),
        sa.UniqueConstraint("name", name=f"uq_{t}_name"),
    )
    t = "_security_webviewer_sessions"
    _table(
        t,
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("token", sa.String(88)),
        sa.Column("ip_address", sa.String(45)),
        sa.Column("user_id", sa.Integer),
        sa.Column("last_activity_utc", _UTC),
        sa.Column("number_to_view", sa.Integer),
        sa.Column("task_filter_id", sa.Integer),
        sa.Column("is_api_session", sa.Boolean),
        sa.Column("form_state", sa.Text),
        _pk(t, "id"),
        _fk(t, "user_id", "_security_users.id", ondelete="CASCADE"),
    )
    _index(t, "last_activity_utc")
    for t, col in (
        ("_security_login_failures", "login_failure_at"),
        ("_security_account_lockouts", "locked_until"),
    ):
        _table(
            t,
            sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
            sa.Column("username", sa.String(191), nullable=False),
            sa.Column(col, _UTC, nullable=False),
            _pk(t, "id"),
        )
        _index(t, "username")
    t = "_idnum_definitions"
    _table(
        t,
        sa.Column("which_idnum", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("description", sa.String(255)),
        sa.Column("short_description", sa.String(255)),
        sa.Column("hl7_id_type", sa.String(5)),
        sa.Column("hl7_assigning_authority", sa.String(20)),
        sa.Column("validation_method", sa.String(50)),
        sa.Column("fhir_id_system", sa.String(255)),
        _pk(t, "which_idnum"),
    )
    t = "_dirty_tables"
    _table(
        t,
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("device_id", sa.Integer, nullable=False),
        sa.Column("tablename", sa.String(128), nullable=False),
        _pk(t, "id"),
        _fk(t, "device_id", "_security_devices.id"),
        sa.UniqueConstraint("device_id", "tablename", name=f"uq_{t}_device_id_tablename"),
    )
    t = "_special_notes"
    _table(
        t,
        sa.Column("note_id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("basetable", sa.String(128)),
        sa.Column("task_id", sa.Integer),
        sa.Column("device_id", sa.Integer),
        sa.Column("era", _ERA),
        sa.Column("note_at", _ISO_TEXT),
        sa.Column("user_id", sa.Integer),
        sa.Column("note", _LONG_TEXT),
        sa.Column("hidden", sa.Boolean, nullable=False),
        _pk(t, "note_id"),
        _fk(t, "user_id", "_security_users.id"),
    )
    for col in ("basetable", "task_id", "device_id", "era"):
        _index(t, col)
    t = "_security_audit"
    _table(
        t,
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("when_access_utc", _UTC, nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("remote_addr", sa.String(45)),
        sa.Column("user_id", sa.Integer),
        sa.Column("device_id", sa.Integer),
        sa.Column("table_name", sa.String(128)),
        sa.Column("server_pk", sa.Integer),
        sa.Column("patient_server_pk", sa.Integer),
        sa.Column("details", _LONG_TEXT),
        _pk(t, "id"),
    )
    _index(t, "when_access_utc")
    t = "_server_settings"
    _table(
        t,
        sa.Column("id", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("database_title", sa.String(255)),
        sa.Column("last_dummy_login_failure_clearance_at_utc", _UTC),
        _pk(t, "id"),
    )
    t = "_idnum_index"
    _table(
        t,
        sa.Column("idnum_pk", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("indexed_at_utc", _UTC, nullable=False),
        sa.Column("patient_pk", sa.Integer),
        sa.Column("which_idnum", sa.Integer, nullable=False),
        sa.Column("idnum_value", sa.BigInteger),
        _pk(t, "idnum_pk"),
    )
    for col in ("patient_pk", "which_idnum", "idnum_value"):
        _index(t, col)
    t = "_task_index"
    _table(
        t,
        sa.Column("index_entry_pk", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("indexed_at_utc", _UTC, nullable=False),
        sa.Column("task_table_name", sa.String(128)),
        sa.Column("task_pk", sa.Integer),
        sa.Column("patient_pk", sa.Integer),
        sa.Column("device_id", sa.Integer, nullable=False),
        sa.Column("era", _ERA, nullable=False),
        sa.Column("when_created_utc", _UTC, nullable=False),
        sa.Column("when_created_iso", _ISO_TEXT, nullable=False),
        sa.Column("when_added_batch_utc", _UTC, nullable=False),
        sa.Column("adding_user_id", sa.Integer),
        sa.Column("group_id", sa.Integer, nullable=False),
        sa.Column("task_is_complete", sa.Boolean),
        _pk(t, "index_entry_pk"),
        sa.UniqueConstraint("task_table_name", "task_pk", name=f"uq_{t}_task_table_name_task_pk"),
    )
    for col in (
        "task_table_name",
        "task_pk",
        "patient_pk",
        "device_id",
        "era",
        "when_created_utc",
        "group_id",
    ):
        _index(t, col)


def _server_columns(t: str) -> list[Any]:
    """The server's columns on every client table (data-model.md §2.1), at this revision."""
    return [
        sa.Column("_pk", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("_device_id", sa.Integer, nullable=False),
        sa.Column("_era", _ERA, nullable=False),
        sa.Column("_current", sa.Boolean, nullable=False),
        sa.Column("_when_added_exact", _ISO_TEXT),
        sa.Column("_when_added_batch_utc", _UTC),
        sa.Column("_adding_user_id", sa.Integer),
        sa.Column("_when_removed_exact", _ISO_TEXT),
        sa.Column("_when_removed_batch_utc", _UTC),
        sa.Column("_removing_user_id", sa.Integer),
        sa.Column("_preserving_user_id", sa.Integer),
        sa.Column("_forcibly_preserved", sa.Boolean),
        sa.Column("_predecessor_pk", sa.Integer),
        sa.Column("_successor_pk", sa.Integer),
        sa.Column("_manually_erased", sa.Boolean),
        sa.Column("_manually_erased_at", _ISO_TEXT),
        sa.Column("_manually_erasing_user_id", sa.Integer),
        sa.Column("_camcops_version", _VERSION),
        sa.Column("_addition_pending", sa.Boolean, nullable=False),
        sa.Column("_removal_pending", sa.Boolean),
        sa.Column("_group_id", sa.Integer, nullable=False),
        _pk(t, "_pk"),
        _fk(t, "_device_id", "_security_devices.id"),
        _fk(t, "_group_id", "_security_groups.id"),
    ]


def _client_type(kind: str) -> Any:
    """Storage of one client column kind at this revision: integers 64-bit, booleans the
    integers the tablet sent, floats double, BLOBs bytes, everything else unbounded text."""
    if kind in ("int", "bigint"):
        return sa.BigInteger()
    if kind == "bool":
        return sa.Integer()
    if kind == "float":
        return _DOUBLE
    if kind == "blob":
        return _LONG_BLOB
    return _LONG_TEXT


def _client_tables() -> dict[str, dict[str, Any]]:
    tables: dict[str, dict[str, Any]] = json.loads(_CLIENT_TABLES_FILE.read_text("utf-8"))
    return tables


def upgrade() -> None:
    _server_tables()
    for name, spec in _client_tables().items():
        _table(
            name,
            *_server_columns(name),
            *(sa.Column(col, _client_type(kind)) for col, kind in spec["columns"]),
            # SQLite AUTOINCREMENT: a server PK, once used, is never handed out again.
            sqlite_autoincrement=True,
        )
        _index(name, "_device_id", "_era", "_current", "id", name=f"ix_{name}_live")
        _index(name, "id", name=f"ix_{name}_id")
        if spec["link"]:
            _index(name, spec["link"], "_device_id", "_era", name=f"ix_{name}_link")


#: Server tables in an order that drops children before their parents.
_SERVER_DROP_ORDER = (
    "_task_index",
    "_idnum_index",
    "_server_settings",
    "_security_audit",
    "_special_notes",
    "_dirty_tables",
    "_idnum_definitions",
    "_security_account_lockouts",
    "_security_login_failures",
    "_security_webviewer_sessions",
    "_security_devices",
    "_security_user_group",
    "_security_users",
    "_security_group_group",
    "_security_groups",
    "_security_ip_use",
)


def downgrade() -> None:
    for name in _client_tables():
        op.drop_table(name)
    for name in _SERVER_DROP_ORDER:
        op.drop_table(name)
