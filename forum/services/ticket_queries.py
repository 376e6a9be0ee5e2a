"""Reading tickets: one ticket with its conversation, the desk list, a requester's list.

Every read loads what its page shows in a fixed number of queries, and
internal notes are filtered out in SQL for anyone who is not staff, so they
never reach a requester's page, API response or email.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, selectinload

from ..errors import NotFound, ValidationError
from ..extensions import db
from ..models import Ticket, TicketEvent, TicketMessage, User
from ..models.tickets import (
    CLOCK_STATUSES,
    TICKET_CATEGORIES,
    TICKET_PRIORITIES,
    TICKET_STATUSES,
    UNSOLVED_STATUSES,
)
from ..permissions import can, require
from ..timeutil import utcnow
from . import inputs
from .pagination import Page, paginate

STATUS_FILTERS = ("unsolved", "all", *TICKET_STATUSES)
TICKET_SORTS = ("due", "updated", "created", "priority")
_PRIORITY_RANK = case({"urgent": 0, "high": 1, "normal": 2, "low": 3}, value=Ticket.priority)


def load_for(viewer: User | None, model, row_id, options, missing):
    """The `model` row with this id (any input type), or NotFound(missing); sign-in first."""
    require(viewer, "contact_support")  # anonymous: sign in first
    try:
        row_id = inputs.integer(row_id, "id")
    except ValidationError:
        raise NotFound(missing)
    row = db.session.get(model, row_id, options=options)
    if row is None:
        raise NotFound(missing)
    return row


def get_ticket(ticket_id, viewer: User | None) -> Ticket:
    """The ticket if `viewer` is staff or its requester; NotFound for anyone else."""
    missing = _l("No such ticket.")
    options = [joinedload(Ticket.requester), joinedload(Ticket.assignee),
               joinedload(Ticket.source_thread)]
    ticket = load_for(viewer, Ticket, ticket_id, options, missing)
    if not can(viewer, "view_ticket", ticket):
        raise NotFound(missing)
    return ticket


def messages_of(ticket: Ticket, viewer: User) -> list[TicketMessage]:
    """The conversation in order; internal notes only for staff."""
    query = (
        select(TicketMessage)
        .where(TicketMessage.ticket_id == ticket.id)
        .options(joinedload(TicketMessage.author), selectinload(TicketMessage.attachments))
        .order_by(TicketMessage.created_at, TicketMessage.id)
    )
    if not viewer.is_staff:
        query = query.where(TicketMessage.is_internal.is_(False))
    return list(db.session.scalars(query))


@dataclass
class TicketPage:
    """What a ticket page shows; `events` and `staff` stay empty for a requester."""

    ticket: Ticket
    messages: list[TicketMessage]
    events: list[TicketEvent]
    staff: list[User]


def ticket_page(ticket_id, viewer: User | None) -> TicketPage:
    """A ticket with its conversation (and, for staff, its history and the assignable staff)."""
    ticket = get_ticket(ticket_id, viewer)
    events: list[TicketEvent] = []
    staff: list[User] = []
    if viewer.is_staff:
        events = list(db.session.scalars(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket.id)
            .options(joinedload(TicketEvent.actor))
            .order_by(TicketEvent.created_at, TicketEvent.id)
        ))
        staff = staff_members()
    return TicketPage(ticket, messages_of(ticket, viewer), events, staff)


def staff_members() -> list[User]:
    """Everyone a ticket can be assigned to, by name."""
    query = select(User).where(User.role.in_(("staff", "admin"))).order_by(User.username_key)
    return list(db.session.scalars(query))


@dataclass
class TicketFilters:
    """The desk's filters, from the query string; `assignee` is a username or "none"."""

    status: str = "unsolved"
    priority: str | None = None
    category: str | None = None
    assignee: str | None = None
    mine: bool = False
    overdue: bool = False
    sort: str = "due"

    def validated(self) -> "TicketFilters":
        """The same filters, or a ValidationError naming a value that is not an option."""
        inputs.choice(self.status, "status", STATUS_FILTERS)
        inputs.choice(self.sort, "sort", TICKET_SORTS)
        if self.priority is not None:
            inputs.choice(self.priority, "priority", TICKET_PRIORITIES)
        if self.category is not None:
            inputs.choice(self.category, "category", TICKET_CATEGORIES)
        if self.assignee is not None and inputs.lookup(self.assignee, 30) is None:
            raise ValidationError(_l("No such assignee."), fields={"assignee": "not found"})
        return self


def _filtered(query, filters: TicketFilters, viewer: User):
    if filters.status == "unsolved":
        query = query.where(Ticket.status.in_(UNSOLVED_STATUSES))
    elif filters.status != "all":
        query = query.where(Ticket.status == filters.status)
    if filters.priority:
        query = query.where(Ticket.priority == filters.priority)
    if filters.category:
        query = query.where(Ticket.category == filters.category)
    if filters.assignee == "none":
        query = query.where(Ticket.assignee_id.is_(None))
    elif filters.assignee:
        assigned = select(User.id).where(User.username_key == filters.assignee.lower())
        query = query.where(Ticket.assignee_id.in_(assigned.scalar_subquery()))
    if filters.mine:
        query = query.where(Ticket.assignee_id == viewer.id)
    if filters.overdue:
        query = query.where(Ticket.status.in_(CLOCK_STATUSES), Ticket.due_at < utcnow())
    return query


def _ordered(query, sort: str):
    order = {
        # Tickets with no deadline sort after every ticket with one.
        "due": [Ticket.due_at.is_(None), Ticket.due_at, Ticket.updated_at.desc()],
        "updated": [Ticket.updated_at.desc()],
        "created": [Ticket.created_at.desc()],
        "priority": [_PRIORITY_RANK, Ticket.due_at.is_(None), Ticket.due_at],
    }[sort]
    return query.order_by(*order, Ticket.id.desc())


def _list_query():
    return select(Ticket).options(joinedload(Ticket.requester), joinedload(Ticket.assignee))


def desk_tickets(viewer: User | None, filters: TicketFilters, page: int, per_page: int) -> Page:
    """One page of all tickets for staff, filtered and sorted."""
    require(viewer, "view_desk")
    filters.validated()
    query = _ordered(_filtered(_list_query(), filters, viewer), filters.sort)
    return paginate(query, page, per_page)


def requested_tickets(viewer: User | None, page: int, per_page: int, status="all") -> Page:
    """One page of the tickets `viewer` asked for, latest activity first."""
    require(viewer, "contact_support")
    filters = TicketFilters(status=status or "all").validated()
    query = _filtered(_list_query().where(Ticket.requester_id == viewer.id), filters, viewer)
    return paginate(_ordered(query, "updated"), page, per_page)


def visible_tickets(viewer: User | None, filters: TicketFilters, page: int, per_page: int) -> Page:
    """The API's list: every ticket for staff, one's own for anyone else."""
    if viewer is not None and viewer.is_staff:
        return desk_tickets(viewer, filters, page, per_page)
    return requested_tickets(viewer, page, per_page, filters.status)


def status_counts() -> dict[str, int]:
    """How many tickets have each status, plus "unsolved" and "overdue"."""
    rows = db.session.execute(select(Ticket.status, func.count()).group_by(Ticket.status))
    counts = {status: 0 for status in TICKET_STATUSES}
    counts.update(dict(rows.all()))
    counts["unsolved"] = sum(counts[s] for s in UNSOLVED_STATUSES)
    counts["all"] = sum(counts[s] for s in TICKET_STATUSES)
    counts["overdue"] = db.session.scalar(
        select(func.count(Ticket.id))
        .where(Ticket.status.in_(CLOCK_STATUSES), Ticket.due_at < utcnow())
    ) or 0
    return counts
