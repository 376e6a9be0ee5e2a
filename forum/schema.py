"""Schema migrations (Flask-Migrate, on Alembic), loaded only when one runs.

Alembic and what it imports (Mako, Pygments) would add a tenth of a second or
more to every process start, and web and task workers never migrate. So
`flask db ...` is a command that hands its arguments to Flask-Migrate's own
group, imported then, and `upgrade()` serves code that migrates in-process
(tests, benchmarks).
"""
from pathlib import Path

import click
from flask import Flask, current_app

from .extensions import db

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def init_app(app: Flask) -> None:
    app.cli.add_command(_migration_commands)


def upgrade(revision: str = "head") -> None:
    """Migrate the current app's database to `revision`."""
    from flask_migrate import upgrade as run_upgrade

    _configure(current_app._get_current_object())
    run_upgrade(revision=revision)


def _configure(app: Flask) -> None:
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(MIGRATIONS), render_as_batch=True)


@click.command("db", add_help_option=False, help="Database migrations (Flask-Migrate).",
               context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def _migration_commands(ctx: click.Context) -> None:
    """Hand the arguments to Flask-Migrate's own `db` group, imported now."""
    from flask_migrate.cli import db as commands

    _configure(current_app._get_current_object())
    commands.main(ctx.args, prog_name=ctx.command_path, standalone_mode=False)
