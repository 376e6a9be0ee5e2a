"""`flask --app wsgi askdesk ...` commands: users, boards, reputation, demo data."""
import click
from flask import Flask
from flask.cli import AppGroup

from .errors import DomainError
from .models import ROLES

askdesk = AppGroup("askdesk", help="Askdesk administration.")
users = AppGroup("users", help="Manage users.")
boards = AppGroup("boards", help="Manage boards.")
reputation = AppGroup("reputation", help="The reputation ledger.")
askdesk.add_command(users)
askdesk.add_command(boards)
askdesk.add_command(reputation)


def _fail(error: DomainError):
    details = "; ".join(f"{k}: {v}" for k, v in error.fields.items())
    raise click.ClickException(f"{error.message} {details}".strip())


@users.command("create")
@click.argument("name")
@click.option("--email", required=True)
@click.option("--password", required=True, prompt=True, hide_input=True)
@click.option("--role", type=click.Choice(ROLES), default="user", show_default=True)
def create_user(name, email, password, role):
    """Create a user with any role."""
    from .services.accounts import register

    try:
        user = register(name, email, password, role=role)
    except DomainError as error:
        _fail(error)
    click.echo(f"Created {user.role} {user.username}.")


@users.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
def set_user_role(name, role):
    """Change a user's role."""
    from .services.accounts import set_role

    try:
        user = set_role(name, role)
    except DomainError as error:
        _fail(error)
    click.echo(f"{user.username} is now {user.role}.")


@boards.command("create")
@click.argument("slug")
@click.option("--name", required=True)
@click.option("--description", default="")
@click.option("--parent", default=None, help="Slug of the parent board.")
def create_board(slug, name, description, parent):
    """Create a product-area board."""
    from .services.boards import create_board as create

    try:
        board = create(None, slug, name, description, parent)
    except DomainError as error:
        _fail(error)
    click.echo(f"Created board {board.slug}.")


@reputation.command("recount")
@click.option("--user", "username", default=None, help="Only this user.")
def recount_reputation(username):
    """Rebuild cached reputation from the ledger and report what was fixed."""
    from .services import accounts
    from .services import reputation as ledger

    try:
        user = accounts.get_user(username) if username is not None else None
    except DomainError as error:
        _fail(error)
    result = ledger.recount(user)
    for fix in result.fixes:
        click.echo(f"{fix.username}: cached {fix.cached}, ledger {fix.ledger} - fixed")
    noun = "user" if result.checked == 1 else "users"
    click.echo(f"Checked {result.checked} {noun}; fixed {len(result.fixes)}.")


@askdesk.command("demo")
@click.option("--if-empty", is_flag=True, help="Only load when the site has no users yet.")
def load_demo(if_empty):
    """Load the built-in demo site (boards, users of each role, threads)."""
    from . import demo

    if if_empty and not demo.site_is_empty():
        click.echo("Site has data; demo not loaded.")
        return
    demo.load()
    click.echo(f"Demo site loaded. Sign in as any of: {', '.join(demo.USERNAMES)} "
               f"with password '{demo.PASSWORD}'.")


def init_app(app: Flask) -> None:
    app.cli.add_command(askdesk)
