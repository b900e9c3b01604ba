"""``copse demo``: fill a database with fake patients, so a newcomer sees a living server."""

from __future__ import annotations

import click

from copse.cli.common import CliContext, pass_cli
from copse.db import migrate
from copse.errors import CopseError
from copse.services.demo import fill_demo


@click.command("demo")
@click.option(
    "--patients",
    "n_patients",
    type=click.IntRange(1, 10_000),
    default=20,
    show_default=True,
    help="How many fake patients to follow.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed (same people).")
@pass_cli
def demo(cli: CliContext, n_patients: int, seed: int) -> None:
    """Create the schema if needed, then add fake patients, tablets and months of tasks.

    Every record arrives through the real upload engine (so eras, versions,
    indexes and the audit trail are real). Prints the login of the demo user.
    """
    migrate.upgrade(cli.engine)

    def work() -> tuple[str, str, int, int]:
        user, password, summary = fill_demo(
            cli.engine,
            n_patients=n_patients,
            seed=seed,
            bcrypt_rounds=cli.settings.bcrypt_rounds,
        )
        return user, password, summary.patients, summary.tasks

    try:
        user, password, patients, tasks = work()
    except CopseError as exc:
        raise click.ClickException(exc.message) from None
    cli.audit_note = f"added {patients} demo patients with {tasks} tasks"
    cli.run(lambda conn: None)  # the audit entry of the command
    click.echo(f"Added {patients} demo patients with {tasks} tasks from two tablets.")
    click.echo(f"Log in to the web front end as: {user} / {password}")


def register(group: click.Group) -> None:
    group.add_command(demo)
