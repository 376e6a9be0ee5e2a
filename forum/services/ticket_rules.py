"""The rules of a ticket's fields, status and response clock, shared by the ticket services.

These helpers change a ticket inside the caller's transaction and record
every change as a TicketEvent; they check no permissions (the services do).
"""
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from moderation import audit

from ..errors import ValidationError
from ..extensions import db
from ..models import Ticket, TicketEvent, User
from ..models.tickets import TICKET_CATEGORIES, TICKET_PRIORITIES, TICKET_STATUSES
from . import inputs

SUBJECT_MIN, SUBJECT_MAX = 5, 150
DESCRIPTION_MIN = 10
MESSAGE_MIN, MESSAGE_MAX = 2, 30_000
# Staff choose any status but "new", which only a ticket nobody has touched has.
SETTABLE_STATUSES = tuple(s for s in TICKET_STATUSES if s != "new")
# Marks "leave this field as it is" where None means "clear it" (the assignee).
UNCHANGED = object()


def subject(value) -> str:
    return inputs.text(value, "subject", min_len=SUBJECT_MIN, max_len=SUBJECT_MAX,
                       label=_l("Subject"))


def description(value) -> str:
    return inputs.text(value, "body", min_len=DESCRIPTION_MIN, max_len=MESSAGE_MAX,
                       label=_l("Description"))


def message_body(value) -> str:
    return inputs.text(value, "body", min_len=MESSAGE_MIN, max_len=MESSAGE_MAX,
                       label=_l("Message"))


def category(value) -> str:
    return inputs.choice(value, "category", TICKET_CATEGORIES)


def priority(value) -> str:
    return inputs.choice(value, "priority", TICKET_PRIORITIES)


def settable_status(value) -> str:
    return inputs.choice(value, "status", SETTABLE_STATUSES)


def flag(value, field: str) -> bool:
    """A JSON boolean (or a form's "1"/"0"); anything else is a ValidationError."""
    if value in (None, "", "0", False):
        return False
    if value in ("1", True):
        return True
    raise ValidationError(_l("%(label)s must be true or false.", label=field),
                          fields={field: "must be a boolean"})


def assignee(value) -> User | None:
    """The staff member named by `value` (a username); None or "" means nobody."""
    if value in (None, ""):
        return None
    name = inputs.lookup(value, 30)
    user = db.session.scalar(select(User).where(User.username_key == name.lower())) if name else None
    if user is None or not user.is_staff:
        raise ValidationError(_l("Tickets can only be assigned to support staff."),
                              fields={"assignee": "not a staff member"})
    return user


# Changes that staff make to a ticket, also written to the audit log.
AUDITED_CHANGES = ("status", "priority", "category", "assignee", "escalated", "resolution")


def record(ticket: Ticket, actor: User | None, kind: str, old=None, new=None, *, when) -> None:
    """Append one change to the ticket's history and mark the ticket updated;
    a staff member's change is also an audit row."""
    if actor is not None and actor.is_staff and kind in AUDITED_CHANGES:
        audit.record(actor, f"ticket_{kind}", "ticket", ticket.id,
                     before=None if old is None else {kind: old},
                     after=None if new is None else {kind: new})
    db.session.add(TicketEvent(
        ticket_id=ticket.id, actor_id=actor.id if actor else None, kind=kind,
        old_value=None if old is None else str(old)[:100],
        new_value=None if new is None else str(new)[:100], created_at=when,
    ))
    ticket.updated_at = when


def response_time(level: str) -> timedelta:
    """How long staff have to respond at this priority (ASKDESK_TICKET_SLA_HOURS)."""
    return timedelta(hours=current_app.config["TICKET_SLA_HOURS"][level])


def start_clock(ticket: Ticket, when: datetime) -> None:
    """The requester is waiting: the response is due by the priority's SLA.

    The clock runs from the oldest unanswered requester message, so a second
    message does not push the deadline back.
    """
    if ticket.waiting_since is None:
        ticket.waiting_since = when
    ticket.due_at = ticket.waiting_since + response_time(ticket.priority)


def stop_clock(ticket: Ticket) -> None:
    """Nothing is owed to the requester any more."""
    ticket.waiting_since = None
    ticket.due_at = None


def set_status(ticket: Ticket, actor: User | None, status: str, *, when) -> bool:
    """Move the ticket to `status`, keeping the solved/closed times; False if unchanged."""
    if status == ticket.status:
        return False
    record(ticket, actor, "status", ticket.status, status, when=when)
    ticket.status = status
    if status == "solved":
        ticket.solved_at = when
    elif status == "closed":
        ticket.closed_at = when
    else:
        ticket.solved_at = None
    if status in ("solved", "closed"):
        stop_clock(ticket)
    return True


def set_priority(ticket: Ticket, actor: User, level: str, *, when) -> None:
    """Change the priority; a running clock gets the new priority's deadline."""
    if level == ticket.priority:
        return
    record(ticket, actor, "priority", ticket.priority, level, when=when)
    ticket.priority = level
    if ticket.waiting_since is not None:
        start_clock(ticket, when)


def set_category(ticket: Ticket, actor: User, name: str, *, when) -> None:
    """Move the ticket to another line of support."""
    if name != ticket.category:
        record(ticket, actor, "category", ticket.category, name, when=when)
        ticket.category = name


def set_assignee(ticket: Ticket, actor: User, user: User | None, *, when) -> None:
    """Hand the ticket to a staff member, or to nobody."""
    if (user.id if user else None) == ticket.assignee_id:
        return
    old = ticket.assignee.username if ticket.assignee else None
    record(ticket, actor, "assignee", old, user.username if user else None, when=when)
    ticket.assignee = user
