"""Tickets: contact support, reply, change and close (the field rules are in ticket_rules)."""
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..errors import Conflict
from ..extensions import db
from ..models import Ticket, TicketMessage, User
from ..permissions import require
from ..rendering import render_markdown, render_plain_text
from ..timeutil import utcnow
from ..transactions import transactional
from . import ticket_mail
from . import ticket_rules as rules
from .ticket_queries import get_ticket

UNCHANGED = rules.UNCHANGED


def add_message(ticket: Ticket, author: User, body: str, *, via: str, when,
                internal: bool = False, email_message_id: str | None = None) -> TicketMessage:
    """Append a message; mail arrives as plain text, everything else is Markdown."""
    render = render_plain_text if via == "email" else render_markdown
    message = TicketMessage(
        ticket_id=ticket.id, author_id=author.id, body=body, body_html=render(body),
        is_internal=internal, via=via, email_message_id=email_message_id, created_at=when,
    )
    db.session.add(message)
    db.session.flush()
    ticket.updated_at = when
    return message


def create_ticket(requester: User, subject: str, body: str, category: str, *, actor: User,
                  via: str, when, priority: str = "normal", assignee: User | None = None,
                  source_thread_id: int | None = None, follow_up_of: Ticket | None = None,
                  email_message_id: str | None = None) -> Ticket:
    """Insert a ticket and its first message; the caller has checked permissions."""
    ticket = Ticket(
        subject=subject, category=category, priority=priority, status="new",
        requester_id=requester.id, assignee=assignee, source_thread_id=source_thread_id,
        follow_up_of_id=follow_up_of.id if follow_up_of else None,
        created_at=when, updated_at=when,
    )
    db.session.add(ticket)
    db.session.flush()
    add_message(ticket, requester, body, via=via, when=when, email_message_id=email_message_id)
    rules.start_clock(ticket, when)
    rules.record(ticket, actor, "created", new=via, when=when)
    if follow_up_of is not None:
        rules.record(ticket, actor, "follow_up", new=follow_up_of.id, when=when)
    return ticket


def open_ticket(requester: User | None, subject, body, category, *, via: str = "web") -> Ticket:
    """Contact support: a signed-in user opens a ticket directly (and is told by email)."""
    ticket = _open_ticket(requester, subject, body, category, via)
    ticket_mail.ticket_created(ticket.id)
    return ticket


@transactional
def _open_ticket(requester: User | None, subject, body, category, via: str) -> Ticket:
    require(requester, "contact_support")
    subject = rules.subject(subject)
    body = rules.description(body)
    category = rules.category(category)
    return create_ticket(requester, subject, body, category, actor=requester, via=via,
                         when=utcnow())


def reply(author: User | None, ticket_id, body, *, internal=False, status=None,
          via: str = "web") -> TicketMessage:
    """Add a public reply or (staff) an internal note; staff may set the status with it.

    A public message is mailed to the other side; a note only reaches staff.
    """
    message, solved = record_reply(author, ticket_id, body, internal=internal, status=status,
                                   via=via)
    if not message.is_internal:
        ticket_mail.reply_sent(message.id)  # says "solved" itself when it solved the ticket
    elif solved:
        ticket_mail.ticket_solved(message.ticket_id)
    return message


@transactional
def record_reply(author: User | None, ticket_id, body, *, internal=False, status=None,
                 via: str = "web", email_message_id: str | None = None):
    """`reply` without the mail: (message, whether it solved the ticket)."""
    ticket = get_ticket(ticket_id, author)
    internal = rules.flag(internal, "internal")
    if internal:
        require(author, "add_internal_note", ticket)
    require(author, "reply_ticket", ticket)
    body = rules.message_body(body)
    if status not in (None, ""):
        require(author, "update_ticket", ticket)
        status = rules.settable_status(status)
    now = utcnow()
    message = add_message(ticket, author, body, via=via, when=now, internal=internal,
                          email_message_id=email_message_id)
    if not internal:
        _after_public_message(ticket, author, now)
    solved = False
    if status or (not internal and ticket.status == "new" and author.id != ticket.requester_id):
        # A staff reply opens a new ticket unless it says which status to take.
        solved = rules.set_status(ticket, author, status or "open", when=now) and status == "solved"
    return message, solved


def _after_public_message(ticket: Ticket, author: User, now) -> None:
    """A requester's message reopens a waiting ticket; a staff reply answers it."""
    if author.id == ticket.requester_id:
        if ticket.status in ("pending", "solved"):
            rules.set_status(ticket, author, "open", when=now)
        rules.start_clock(ticket, now)
        return
    if ticket.first_response_at is None:
        ticket.first_response_at = now
    rules.stop_clock(ticket)


def update_ticket(actor: User | None, ticket_id, *, status=UNCHANGED, priority=UNCHANGED,
                  category=UNCHANGED, assignee=UNCHANGED) -> Ticket:
    """Change a ticket's status, priority, category or assignee (staff); each change is logged.

    Solving it tells the requester by email.
    """
    ticket, solved = _update_ticket(actor, ticket_id, status, priority, category, assignee)
    if solved:
        ticket_mail.ticket_solved(ticket.id)
    return ticket


@transactional
def _update_ticket(actor: User | None, ticket_id, status, priority, category, assignee):
    ticket = get_ticket(ticket_id, actor)
    require(actor, "update_ticket", ticket)
    if ticket.is_closed:
        raise Conflict(_l("This ticket is closed and can no longer be changed."))
    # Every value is checked before anything changes.
    # The form sends the current status back; only a change has to be a settable one.
    status = UNCHANGED if status in (UNCHANGED, ticket.status) else rules.settable_status(status)
    priority = UNCHANGED if priority is UNCHANGED else rules.priority(priority)
    category = UNCHANGED if category is UNCHANGED else rules.category(category)
    assignee = UNCHANGED if assignee is UNCHANGED else rules.assignee(assignee)
    now = utcnow()
    if priority is not UNCHANGED:
        rules.set_priority(ticket, actor, priority, when=now)
    if category is not UNCHANGED:
        rules.set_category(ticket, actor, category, when=now)
    if assignee is not UNCHANGED:
        rules.set_assignee(ticket, actor, assignee, when=now)
    solved = False
    if status is not UNCHANGED:
        solved = rules.set_status(ticket, actor, status, when=now) and status == "solved"
    return ticket, solved


@transactional
def autoclose(now=None) -> list[int]:
    """Close the tickets solved longer ago than ASKDESK_TICKET_AUTOCLOSE_DAYS; their ids."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["TICKET_AUTOCLOSE_DAYS"])
    due = db.session.scalars(
        select(Ticket).where(Ticket.status == "solved", Ticket.solved_at <= cutoff)
        .order_by(Ticket.id)
    )
    closed = []
    for ticket in due:
        rules.set_status(ticket, None, "closed", when=now)
        closed.append(ticket.id)
    return closed

