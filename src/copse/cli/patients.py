"""``copse patient ...``, ``copse schedule ...`` and ``copse group set-ip-use``.

Single-patient mode from the command line: create server patients (each
gets the access key the patient types into their tablet), give them task
schedules, and set the group's intellectual-property use, which the tablet
uses to decide which tasks it may offer.
"""

from __future__ import annotations

import json
from datetime import date

import click
import sqlalchemy as sa

from copse.accounts import admin_ops
from copse.accounts.users import require_group_id
from copse.cli.common import CliContext, pass_cli
from copse.cli.groups import group_group
from copse.errors import UserError
from copse.patients.ip_use import set_ip_use
from copse.patients.schedules import (
    add_schedule_item,
    assign_schedule,
    create_schedule,
    list_schedules,
    parse_settings,
)
from copse.patients.server_patients import (
    ServerPatient,
    create_server_patient,
    find_by_access_key,
    get_server_patient,
    list_server_patients,
)
from copse.wire.dates import parse_datetime, utcnow


def _parse_idnum(text: str) -> tuple[int, int]:
    which, sep, value = text.partition("=")
    if not sep:
        raise click.BadParameter(f"{text!r}: use TYPE=VALUE, e.g. 1=9434765919")
    if not which.strip().isdigit():
        raise click.BadParameter(
            f"{text!r}: the ID number type {which!r} must be a number (see `copse idnum list`)"
        )
    if not value.strip().isdigit():
        raise click.BadParameter(
            f"{text!r}: the ID number {value!r} must be a whole number (digits only)"
        )
    return int(which), int(value)


def _parse_dob(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r}: use YYYY-MM-DD") from None


def _describe(p: ServerPatient, group_names: dict[int, str]) -> str:
    ids = ",".join(f"idnum{w}={v}" for w, v in p.idnums)
    return (
        f"{p.pk}\t{group_names.get(p.group_id, p.group_id)}\t{p.surname or ''}\t"
        f"{p.forename or ''}\t{p.dob or ''}\t{p.sex or ''}\t{ids}\t{p.access_key or ''}"
    )


@click.group("patient")
def patient_group() -> None:
    """Server-created patients for single-patient mode."""


@patient_group.command("add")
@click.option("--group", "group_name", required=True, help="The patient's group.")
@click.option("--forename")
@click.option("--surname")
@click.option("--dob", help="Date of birth, YYYY-MM-DD.")
@click.option("--sex", type=click.Choice(["F", "M", "X"]), required=True)
@click.option(
    "--idnum",
    "idnums",
    multiple=True,
    metavar="TYPE=VALUE",
    help="An ID number, e.g. 1=9434765919 (repeatable).",
)
@click.option("--address")
@click.option("--email")
@click.option("--gp")
@click.option("--other", help="Other details.")
@pass_cli
def add_patient(
    cli: CliContext,
    group_name: str,
    forename: str | None,
    surname: str | None,
    dob: str | None,
    sex: str,
    idnums: tuple[str, ...],
    address: str | None,
    email: str | None,
    gp: str | None,
    other: str | None,
) -> None:
    """Add a patient; prints the access key to give to the patient.

    The patient must satisfy the group's finalize ID policy.
    """
    ids = [_parse_idnum(t) for t in idnums]
    birth = _parse_dob(dob)

    def work(conn: sa.Connection) -> ServerPatient:
        gid = require_group_id(conn, group_name)
        return create_server_patient(
            conn,
            group_id=gid,
            forename=forename,
            surname=surname,
            sex=sex,
            dob=birth,
            idnums=ids,
            address=address,
            email=email,
            gp=gp,
            other=other,
            now=utcnow(),
        )

    p = cli.run(work)
    click.echo(f"Added patient (server PK {p.pk}) to group {group_name}")
    click.echo(f"Access key: {p.access_key}")


@patient_group.command("list")
@click.option("--group", "group_name", help="Only this group's patients.")
@pass_cli
def list_patients(cli: CliContext, group_name: str | None) -> None:
    """List server-created patients: PK, group, names, DOB, sex, ID numbers, access key."""

    def work(conn: sa.Connection) -> tuple[list[ServerPatient], dict[int, str]]:
        gid = require_group_id(conn, group_name) if group_name else None
        names = admin_ops.group_names(conn)
        return list_server_patients(conn, gid), names

    patients, names = cli.run(work)
    for p in patients:
        click.echo(_describe(p, names))


@click.group("schedule")
def schedule_group() -> None:
    """Task schedules for single-patient mode."""


@schedule_group.command("add")
@click.argument("name")
@click.option("--group", "group_name", required=True, help="The schedule's group.")
@click.option("--email-subject")
@click.option("--email-template")
@click.option("--email-from")
@click.option("--email-cc")
@click.option("--email-bcc")
@pass_cli
def add_schedule(
    cli: CliContext,
    name: str,
    group_name: str,
    email_subject: str | None,
    email_template: str | None,
    email_from: str | None,
    email_cc: str | None,
    email_bcc: str | None,
) -> None:
    """Add a task schedule NAME to a group; prints its id."""
    sid = cli.run(
        lambda conn: create_schedule(
            conn,
            group_id=require_group_id(conn, group_name),
            name=name,
            email_subject=email_subject,
            email_template=email_template,
            email_from=email_from,
            email_cc=email_cc,
            email_bcc=email_bcc,
        )
    )
    click.echo(f"Added task schedule {sid}: {name}")


@schedule_group.command("item-add")
@click.argument("schedule_id", type=int)
@click.option("--table", required=True, help="Task base table, e.g. phq9.")
@click.option(
    "--due-from",
    "due_from",
    type=int,
    default=0,
    show_default=True,
    help="Days after the start when the task becomes due.",
)
@click.option(
    "--due-within",
    "due_within",
    type=int,
    required=True,
    help="Days the patient then has to do it.",
)
@pass_cli
def add_item(cli: CliContext, schedule_id: int, table: str, due_from: int, due_within: int) -> None:
    """Add a task to schedule SCHEDULE_ID."""
    cli.run(
        lambda conn: add_schedule_item(
            conn,
            schedule_id=schedule_id,
            table=table,
            due_from_days=due_from,
            due_within_days=due_within,
        )
    )
    click.echo(
        f"Added {table} to task schedule {schedule_id}: due from day {due_from}, "
        f"within {due_within} days"
    )


@schedule_group.command("assign")
@click.option(
    "--patient", "patient_ref", required=True, help="The patient's access key or server PK."
)
@click.option("--schedule", "schedule_id", type=int, required=True, help="Task schedule id.")
@click.option("--start", help="Start, ISO 8601 with zone (default: when the tablet first asks).")
@click.option("--settings", help="JSON object keyed by task table, e.g. '{\"phq9\": {}}'.")
@pass_cli
def assign(
    cli: CliContext, patient_ref: str, schedule_id: int, start: str | None, settings: str | None
) -> None:
    """Give a server-created patient a task schedule."""
    try:
        start_dt = parse_datetime(start) if start else None
    except ValueError:
        raise click.BadParameter(
            f"{start!r}: use ISO 8601, e.g. 2024-01-01T09:00:00+00:00"
        ) from None

    def work(conn: sa.Connection) -> int:
        if patient_ref.isdigit():
            found = get_server_patient(conn, int(patient_ref))
            if found is None:
                raise UserError(f"No server-created patient with server PK {patient_ref}")
        else:
            found = find_by_access_key(conn, patient_ref)
        return assign_schedule(
            conn,
            patient_pk=found.pk,
            schedule_id=schedule_id,
            start=start_dt,
            settings=parse_settings(settings),
        )

    cli.run(work)
    click.echo(f"Assigned task schedule {schedule_id} to patient {patient_ref}")


@schedule_group.command("list")
@click.option("--group", "group_name", help="Only this group's schedules.")
@pass_cli
def list_all(cli: CliContext, group_name: str | None) -> None:
    """List task schedules with their items (table, due from, due within, in days)."""
    schedules = cli.run(
        lambda conn: list_schedules(
            conn, require_group_id(conn, group_name) if group_name else None
        )
    )
    for s in schedules:
        click.echo(f"{s.id}\t{s.name}\tgroup_id={s.group_id}")
        for item in s.items:
            click.echo(
                f"\t{item.table}\tdue_from={item.due_from_days}\tdue_within={item.due_within_days}"
            )


@click.command("set-ip-use")
@click.argument("name")
@click.option("--clinical/--no-clinical", default=None)
@click.option("--commercial/--no-commercial", default=None)
@click.option("--educational/--no-educational", default=None)
@click.option("--research/--no-research", default=None)
@pass_cli
def set_group_ip_use(
    cli: CliContext,
    name: str,
    clinical: bool | None,
    commercial: bool | None,
    educational: bool | None,
    research: bool | None,
) -> None:
    """Set how group NAME uses tasks (flags not given stay as they are)."""
    settings = cli.run(
        lambda conn: set_ip_use(
            conn,
            require_group_id(conn, name),
            clinical=clinical,
            commercial=commercial,
            educational=educational,
            research=research,
        )
    )
    click.echo(
        f"Group {name}: "
        + json.dumps(
            {
                "clinical": settings.clinical,
                "commercial": settings.commercial,
                "educational": settings.educational,
                "research": settings.research,
            }
        )
    )


def register(cli: click.Group) -> None:
    cli.add_command(patient_group)
    cli.add_command(schedule_group)
    group_group.add_command(set_group_ip_use)
