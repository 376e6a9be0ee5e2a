"""`flask --app wsgi askdesk mail ingest` and `askdesk tickets autoclose`: support jobs
that a mail server or a scheduler runs."""
import sys
from collections import Counter
from pathlib import Path

import click
from flask.cli import AppGroup

mail = AppGroup("mail", help="Inbound support email.")
tickets = AppGroup("tickets", help="Support tickets.")


@mail.command("ingest")
@click.argument("source", required=False, type=click.Path(exists=True, path_type=Path))
def ingest(source):
    """Add emailed messages to tickets: SOURCE is a message file, a Maildir or a folder;
    without it, one message is read from standard input (for a mail server's pipe)."""
    from .services import mail_ingest

    if source is None:
        results = [("stdin", mail_ingest.ingest(sys.stdin.buffer.read()))]
    else:
        results = mail_ingest.ingest_source(source)
    for name, result in results:
        detail = result.reason or (f"ticket #{result.ticket_id}" if result.ticket_id else "")
        click.echo(f"{name}: {result.outcome} {detail}".rstrip())
    totals = Counter(result.outcome for _name, result in results)
    click.echo(", ".join(f"{count} {outcome}" for outcome, count in sorted(totals.items()))
               or "No messages.")


@tickets.command("autoclose")
def autoclose():
    """Close the tickets solved longer ago than ASKDESK_TICKET_AUTOCLOSE_DAYS."""
    from .services.tickets import autoclose as close_solved

    closed = close_solved()
    click.echo(f"Closed {len(closed)} ticket{'s' if len(closed) != 1 else ''}.")
