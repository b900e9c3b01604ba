"""SQLAlchemy Core tables: the server's own tables and every client table.

Server tables keep the CamCOPS names and columns (data-model.md, policies.md)
so that administrators and reports find what they expect.  Client tables are
generated from the registry: the server columns every client table carries
(data-model.md §2.1) followed by the table's own client columns.  copse's
index tables are declared in :mod:`copse.schema.index_tables` and the shared
metadata in :mod:`copse.schema.meta`; both are re-exported here.
"""

from __future__ import annotations

import sqlalchemy as sa

from copse.schema.columns import (
    EraType,
    IsoText,
    LongText,
    UtcDateTime,
    VersionType,
    client_column_type,
)

# Re-exported: the rest of copse imports every table, and the metadata, from here.
from copse.schema.index_tables import idnum_index as idnum_index
from copse.schema.index_tables import patient_name_index as patient_name_index
from copse.schema.index_tables import task_index as task_index
from copse.schema.meta import declare_table
from copse.schema.meta import metadata as metadata
from copse.schema.registry import TABLES, TableInfo

ip_use = declare_table(
    "_security_ip_use",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("clinical", sa.Boolean, nullable=False, default=False),
    sa.Column("commercial", sa.Boolean, nullable=False, default=False),
    sa.Column("educational", sa.Boolean, nullable=False, default=False),
    sa.Column("research", sa.Boolean, nullable=False, default=False),
)

groups = declare_table(
    "_security_groups",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(191), nullable=False, unique=True),
    sa.Column("description", sa.String(255)),
    sa.Column("upload_policy", sa.String(255)),
    sa.Column("finalize_policy", sa.String(255)),
    sa.Column("ip_use_id", sa.Integer, sa.ForeignKey("_security_ip_use.id")),
    # copse: enforce the ID policies at upload time too, not only at finalize (policies.md).
    sa.Column("check_policy_on_upload", sa.Boolean, nullable=False, default=True),
)

group_group = declare_table(
    "_security_group_group",
    sa.Column("group_id", sa.Integer, sa.ForeignKey("_security_groups.id"), primary_key=True),
    sa.Column(
        "can_see_group_id", sa.Integer, sa.ForeignKey("_security_groups.id"), primary_key=True
    ),
)

users = declare_table(
    "_security_users",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(191), nullable=False, unique=True),
    sa.Column("fullname", sa.String(255)),
    sa.Column("email", sa.String(255)),
    sa.Column("phone_number", sa.String(128)),
    sa.Column("hashedpw", sa.String(60), nullable=False),
    sa.Column("mfa_secret_key", sa.String(32)),
    sa.Column("mfa_method", sa.String(20), nullable=False, default="no_mfa"),
    sa.Column("hotp_counter", sa.Integer, nullable=False, default=0),
    sa.Column("last_login_at_utc", UtcDateTime),
    sa.Column("last_password_change_utc", UtcDateTime),
    sa.Column("superuser", sa.Boolean, nullable=False, default=False),
    sa.Column("must_change_password", sa.Boolean, nullable=False, default=False),
    sa.Column("when_agreed_terms_of_use", UtcDateTime),
    sa.Column("upload_group_id", sa.Integer, sa.ForeignKey("_security_groups.id")),
    sa.Column("language", sa.String(6)),
    sa.Column("auto_generated", sa.Boolean, nullable=False, default=False),
    sa.Column("single_patient_pk", sa.Integer),
    # copse (issue 13, migration 0005): this user must use two-factor login,
    # and the time step of their last accepted TOTP code (a code is accepted once).
    sa.Column("mfa_required", sa.Boolean, nullable=False, default=False),
    sa.Column("mfa_last_totp_step", sa.BigInteger),
)

memberships = declare_table(
    "_security_user_group",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "user_id",
        sa.Integer,
        sa.ForeignKey("_security_users.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column(
        "group_id",
        sa.Integer,
        sa.ForeignKey("_security_groups.id", ondelete="CASCADE"),
        nullable=False,
    ),
    *(
        sa.Column(flag, sa.Boolean, nullable=False, default=False)
        for flag in (
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
    ),
    sa.UniqueConstraint("user_id", "group_id"),
)

devices = declare_table(
    "_security_devices",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(191), unique=True),
    sa.Column("registered_by_user_id", sa.Integer, sa.ForeignKey("_security_users.id")),
    sa.Column("when_registered_utc", UtcDateTime),
    sa.Column("friendly_name", LongText),
    sa.Column("camcops_version", VersionType),
    sa.Column("last_upload_batch_utc", UtcDateTime),
    sa.Column("ongoing_upload_batch_utc", UtcDateTime),
    sa.Column("uploading_user_id", sa.Integer, sa.ForeignKey("_security_users.id")),
    sa.Column("currently_preserving", sa.Boolean, default=False),
    # copse (replay-safe finalizing, migration 0003): the era(s) whose records this device
    # may still hold after its most recent finalizing upload, for replay
    # detection (space-separated, oldest first).  Force-finalize never sets it.
    sa.Column("last_finalizing_eras", sa.String(255)),
)

sessions = declare_table(
    "_security_webviewer_sessions",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token", sa.String(88)),
    sa.Column("ip_address", sa.String(45)),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("_security_users.id", ondelete="CASCADE")),
    sa.Column("last_activity_utc", UtcDateTime, index=True),
    sa.Column("number_to_view", sa.Integer),
    sa.Column("task_filter_id", sa.Integer),
    sa.Column("is_api_session", sa.Boolean, default=False),
    sa.Column("form_state", sa.Text),
)

#: copse (issue 13, migration 0005): one-time recovery codes, stored as
#: SHA-256 hashes (the codes are random, 50 bits: a slow hash adds nothing).
mfa_recovery_codes = declare_table(
    "_security_mfa_recovery_codes",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "user_id",
        sa.Integer,
        sa.ForeignKey("_security_users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("code_hash", sa.String(64), nullable=False),
    sa.Column("created_at_utc", UtcDateTime, nullable=False),
    sa.Column("used_at_utc", UtcDateTime),
)

#: copse (issue 13, migration 0005): a web session half-way through a
#: two-factor step: ``login`` (password right, code awaited) or ``enrol``
#: (a new TOTP secret shown, its first code awaited).
mfa_pending = declare_table(
    "_security_mfa_pending",
    sa.Column(
        "session_id",
        sa.Integer,
        sa.ForeignKey("_security_webviewer_sessions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "user_id",
        sa.Integer,
        sa.ForeignKey("_security_users.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("purpose", sa.String(10), nullable=False),
    sa.Column("secret", sa.String(32)),
    sa.Column("started_utc", UtcDateTime, nullable=False),
)

login_failures = declare_table(
    "_security_login_failures",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(191), nullable=False, index=True),
    sa.Column("login_failure_at", UtcDateTime, nullable=False),
)

account_lockouts = declare_table(
    "_security_account_lockouts",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(191), nullable=False, index=True),
    sa.Column("locked_until", UtcDateTime, nullable=False),
)

idnum_definitions = declare_table(
    "_idnum_definitions",
    sa.Column("which_idnum", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.String(255)),
    sa.Column("short_description", sa.String(255)),
    sa.Column("hl7_id_type", sa.String(5)),
    sa.Column("hl7_assigning_authority", sa.String(20)),
    sa.Column("validation_method", sa.String(50)),
    sa.Column("fhir_id_system", sa.String(255)),
)

dirty_tables = declare_table(
    "_dirty_tables",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("device_id", sa.Integer, sa.ForeignKey("_security_devices.id"), nullable=False),
    sa.Column("tablename", sa.String(128), nullable=False),
    # copse: one row per (device, table); the reference checks in code only.
    sa.UniqueConstraint("device_id", "tablename"),
)

special_notes = declare_table(
    "_special_notes",
    sa.Column("note_id", sa.Integer, primary_key=True),
    sa.Column("basetable", sa.String(128), index=True),
    sa.Column("task_id", sa.Integer, index=True),
    sa.Column("device_id", sa.Integer, index=True),
    sa.Column("era", EraType, index=True),
    sa.Column("note_at", IsoText),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("_security_users.id")),
    sa.Column("note", LongText),
    sa.Column("hidden", sa.Boolean, nullable=False, default=False),
)

audit = declare_table(
    "_security_audit",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("when_access_utc", UtcDateTime, nullable=False, index=True),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("remote_addr", sa.String(45)),
    sa.Column("user_id", sa.Integer),
    sa.Column("device_id", sa.Integer),
    sa.Column("table_name", sa.String(128)),
    sa.Column("server_pk", sa.Integer),
    sa.Column("patient_server_pk", sa.Integer),
    sa.Column("details", LongText),
)

#: Progress of ``copse import-camcops`` (migration 0009): one row per copied
#: table (how far the current run got) and a ``*`` row for the whole import
#: (which CamCOPS database, and whether the import is complete).
import_state = declare_table(
    "_import_state",
    sa.Column("table_name", sa.String(128), primary_key=True),
    sa.Column("source", sa.String(255), nullable=False),
    sa.Column("phase", sa.String(20), nullable=False),
    sa.Column("last_key", LongText),
    sa.Column("rows_written", sa.Integer, nullable=False),
    sa.Column("updated_at_utc", UtcDateTime, nullable=False),
)

server_settings = declare_table(
    "_server_settings",
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("database_title", sa.String(255)),
    sa.Column("last_dummy_login_failure_clearance_at_utc", UtcDateTime),
    # copse (issue 14, migration 0004): hex HMAC key of download pseudonyms;
    # created on first de-identified download, never shown.
    sa.Column("export_pseudonym_key", sa.String(64)),
    # copse (issue 13, migration 0005): every web user must use two-factor login.
    sa.Column("mfa_required", sa.Boolean, nullable=False, default=False),
)

# copse (issue 14, migration 0006): background web downloads.  Their state
# lives here, not in a server process, so any worker on any host can run a
# job (claimed by an atomic UPDATE), and a job whose process died is found by
# its lease running out.
download_jobs = declare_table(
    "_download_jobs",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("_security_users.id"), nullable=False, index=True
    ),
    # The request: ExportOptions as JSON (filters, format, options).
    sa.Column("options", LongText, nullable=False),
    sa.Column("format", sa.String(10), nullable=False),
    # queued, running, done, failed, expired, deleted
    sa.Column("state", sa.String(10), nullable=False, index=True),
    sa.Column("progress_rows", sa.Integer, nullable=False, default=0),
    sa.Column("total_rows", sa.Integer),
    sa.Column("reason", LongText),
    # File name inside the download folder (never a path from the user).
    sa.Column("file_name", sa.String(255)),
    sa.Column("size_bytes", sa.BigInteger),
    sa.Column("created_utc", UtcDateTime, nullable=False),
    sa.Column("started_utc", UtcDateTime),
    sa.Column("finished_utc", UtcDateTime),
    sa.Column("expires_utc", UtcDateTime),
    # Which process runs it ("host:pid") and until when its lease holds.
    sa.Column("owner", sa.String(255)),
    sa.Column("lease_until_utc", UtcDateTime),
)

# ---------------------------------------------------------------------------
# Client tables
# ---------------------------------------------------------------------------

#: Server columns on every client table, in data-model.md §2.1 order; all are
#: reserved (clients may not upload them).
RESERVED_FIELDS: tuple[str, ...] = (
    "_pk",
    "_device_id",
    "_era",
    "_current",
    "_when_added_exact",
    "_when_added_batch_utc",
    "_adding_user_id",
    "_when_removed_exact",
    "_when_removed_batch_utc",
    "_removing_user_id",
    "_preserving_user_id",
    "_forcibly_preserved",
    "_predecessor_pk",
    "_successor_pk",
    "_manually_erased",
    "_manually_erased_at",
    "_manually_erasing_user_id",
    "_camcops_version",
    "_addition_pending",
    "_removal_pending",
    "_group_id",
)
RESERVED_FIELD_SET = frozenset(RESERVED_FIELDS)


def _server_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("_pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("_device_id", sa.Integer, sa.ForeignKey("_security_devices.id"), nullable=False),
        sa.Column("_era", EraType, nullable=False),
        sa.Column("_current", sa.Boolean, nullable=False),
        sa.Column("_when_added_exact", IsoText),
        sa.Column("_when_added_batch_utc", UtcDateTime),
        sa.Column("_adding_user_id", sa.Integer),
        sa.Column("_when_removed_exact", IsoText),
        sa.Column("_when_removed_batch_utc", UtcDateTime),
        sa.Column("_removing_user_id", sa.Integer),
        sa.Column("_preserving_user_id", sa.Integer),
        sa.Column("_forcibly_preserved", sa.Boolean, default=False),
        sa.Column("_predecessor_pk", sa.Integer),
        sa.Column("_successor_pk", sa.Integer),
        sa.Column("_manually_erased", sa.Boolean, default=False),
        sa.Column("_manually_erased_at", IsoText),
        sa.Column("_manually_erasing_user_id", sa.Integer),
        sa.Column("_camcops_version", VersionType),
        sa.Column("_addition_pending", sa.Boolean, nullable=False, default=False),
        sa.Column("_removal_pending", sa.Boolean, default=False),
        sa.Column("_group_id", sa.Integer, sa.ForeignKey("_security_groups.id"), nullable=False),
    ]


def _client_table(info: TableInfo) -> sa.Table:
    cols: list[sa.schema.SchemaItem] = list(_server_columns())
    for c in info.columns:
        # NOT NULL is left to the upload engine, which reports a clear error;
        # the database would only give a dialect-specific message.
        cols.append(sa.Column(c.name, client_column_type(c)))
    # Every upload query filters on the device's live rows; lineage lookups
    # add the client PK.  Link columns serve patient and parent look-ups.
    cols.append(sa.Index(f"ix_{info.name}_live", "_device_id", "_era", "_current", "id"))
    cols.append(sa.Index(f"ix_{info.name}_id", "id"))
    link = "patient_id" if info.has_patient else info.fk_to_parent
    if link:
        cols.append(sa.Index(f"ix_{info.name}_link", link, "_device_id", "_era"))
    # AUTOINCREMENT on SQLite: a server PK, once used (even by a rolled-back
    # pending row), is never handed out again, as on the other databases.
    return declare_table(info.name, *cols, sqlite_autoincrement=True)


CLIENT_TABLES: dict[str, sa.Table] = {name: _client_table(info) for name, info in TABLES.items()}
#: The client tables in name order (the order of whole-database table probes).
CLIENT_TABLES_BY_NAME: tuple[sa.Table, ...] = tuple(CLIENT_TABLES[n] for n in sorted(CLIENT_TABLES))


# ---------------------------------------------------------------------------
# Task schedules for single-patient mode (policies.md §5.5; migration 0002)
# ---------------------------------------------------------------------------

#: Tables added after the initial revision; 0001 must not create them.
TASK_SCHEDULE_TABLE_NAMES = frozenset(
    {"_task_schedule", "_task_schedule_item", "_patient_task_schedule"}
)

task_schedule = declare_table(
    "_task_schedule",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "group_id", sa.Integer, sa.ForeignKey("_security_groups.id"), nullable=False, index=True
    ),
    sa.Column("name", LongText),
    sa.Column("email_subject", sa.String(100)),
    sa.Column("email_template", LongText),
    sa.Column("email_from", sa.String(255)),
    sa.Column("email_cc", sa.String(255)),
    sa.Column("email_bcc", sa.String(255)),
)

task_schedule_item = declare_table(
    "_task_schedule_item",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "schedule_id",
        sa.Integer,
        sa.ForeignKey("_task_schedule.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("task_table_name", sa.String(128), nullable=False),
    # Durations as ISO text ``P{y}Y{m}MT{seconds}S``, e.g. 30 days = ``P0Y0MT2592000.0S``.
    sa.Column("due_from", sa.String(64)),
    sa.Column("due_by", sa.String(64)),
)

patient_task_schedule = declare_table(
    "_patient_task_schedule",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "patient_pk",
        sa.Integer,
        sa.ForeignKey("patient._pk", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column(
        "schedule_id",
        sa.Integer,
        sa.ForeignKey("_task_schedule.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    # ISO text with zone; NULL = "starts when the patient first downloads it".
    sa.Column("start_datetime", IsoText),
    # JSON object keyed by task table name, or NULL.
    sa.Column("settings", LongText),
)


# ---------------------------------------------------------------------------
# Personal API tokens of the read API (issue 14; migration 0007)
# ---------------------------------------------------------------------------

api_tokens = declare_table(
    "_security_api_tokens",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "user_id",
        sa.Integer,
        sa.ForeignKey("_security_users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    # Hex SHA-256 of the token; the token itself is shown once and never stored.
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    # The token's first characters, so its owner can tell tokens apart.
    sa.Column("prefix", sa.String(16), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("created_at_utc", UtcDateTime, nullable=False),
    sa.Column("expires_at_utc", UtcDateTime),
    sa.Column("last_used_at_utc", UtcDateTime),
    sa.Column("revoked_at_utc", UtcDateTime),
)
