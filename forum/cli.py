"""`flask --app wsgi askdesk ...` commands: users, boards, reputation, demo data, search,
background tasks and their worker."""
import click
from flask import Flask
from flask.cli import AppGroup

from . import cli_support
from .errors import DomainError
from .models import ROLES

askdesk = AppGroup("askdesk", help="Askdesk administration.")
users = AppGroup("users", help="Manage users.")
boards = AppGroup("boards", help="Manage boards.")
search = AppGroup("search", help="Maintain the search index.")
reputation = AppGroup("reputation", help="The reputation ledger.")
importers = AppGroup("import", help="Import content from elsewhere.")
views = AppGroup("views", help="Buffered thread view counts.")
task_queue = AppGroup("tasks", help="Mail and index updates waiting to run.")
askdesk.add_command(users)
askdesk.add_command(boards)
askdesk.add_command(reputation)
askdesk.add_command(cli_support.mail)
askdesk.add_command(cli_support.tickets)
askdesk.add_command(search)
askdesk.add_command(importers)
askdesk.add_command(views)
askdesk.add_command(task_queue)


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


@search.command("reindex")
def search_reindex():
    """Rebuild the search index from the database, with a progress bar."""
    import time

    from . import search as search_index
    from .services import indexing

    total = indexing.document_count()
    started = time.perf_counter()
    with click.progressbar(length=total, label="Indexing", show_pos=True) as bar:
        count = indexing.reindex(bar.update)
    elapsed = time.perf_counter() - started
    backend = search_index.backend()
    click.echo(f"Indexed {count} documents in {elapsed:.1f} s "
               f"({count / max(elapsed, 1e-9):.0f} docs/s) with the {backend.name} backend.")


@search.command("retry")
def search_retry():
    """Write the documents whose index update failed earlier."""
    from . import tasks
    from .services import indexing

    tasks.make_due(indexing.TASK)
    tasks.run_pending()
    click.echo(f"{indexing.queued_count()} index updates still queued.")


@search.command("status")
def search_status():
    """Show the backend, how many documents it holds and how many wait for a retry."""
    from . import search as search_index
    from .services import indexing

    backend = search_index.backend()
    click.echo(f"backend: {backend.name}\ndocuments: {backend.count()}\n"
               f"size: {backend.size_bytes()} bytes\nqueued: {indexing.queued_count()}")


@importers.command("stackexchange")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--board", "board_slug", required=True, help="Slug of the board to import into.")
@click.option("--source", default=None, help="Name of the source (default: the folder name).")
def import_stackexchange(directory, board_slug, source):
    """Import a Stack Exchange data dump folder into a board (again: adds nothing)."""
    from pathlib import Path

    from .services import stackexchange

    try:
        with click.progressbar(length=stackexchange.total_bytes(Path(directory)),
                               label="Importing") as bar:
            report = stackexchange.import_dump(directory, board_slug, source=source,
                                               progress=bar.update)
    except DomainError as error:
        _fail(error)
    except FileNotFoundError as error:
        raise click.ClickException(str(error))
    click.echo(f"Imported {report.users} users, {report.questions} questions, "
               f"{report.answers} answers, {report.comments} comments, "
               f"{report.duplicates} duplicate links.")


@views.command("flush")
def flush_views():
    """Write the buffered view counts to the threads now (a scheduler may run this)."""
    from .services import views as view_counts

    click.echo(f"Wrote {view_counts.flush()} views.")


@task_queue.command("status")
def tasks_status():
    """Show how many tasks wait (due or to be retried) and how many failed for good."""
    from . import tasks

    for name in tasks.HANDLERS:
        found = tasks.counts(name)
        click.echo(f"{name}: {found['waiting']} waiting, {found['dead']} dead")


@task_queue.command("run")
@click.option("--now", "make_due", is_flag=True, help="Also run tasks waiting for a retry.")
@click.option("--revive", is_flag=True, help="Also run tasks that failed for good.")
def tasks_run(make_due, revive):
    """Run the due tasks in this process."""
    from . import tasks

    if make_due or revive:
        tasks.make_due(revive=revive)
    click.echo(f"Ran {tasks.run_pending()} tasks.")


@askdesk.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
def worker(burst):
    """Run tasks from the RQ queue (needs ASKDESK_REDIS_URL); start one or more per site."""
    from flask import current_app

    from . import tasks

    if current_app.config["TASKS_MODE"] != "rq":
        raise click.ClickException("`askdesk worker` needs ASKDESK_REDIS_URL (and tasks "
                                   "mode rq); without Redis the web processes run tasks.")
    tasks.work(current_app._get_current_object(), burst=burst)


def init_app(app: Flask) -> None:
    app.cli.add_command(askdesk)
