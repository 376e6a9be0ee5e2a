"""Tickets: opening, replies, status transitions, SLA due times, history, visibility."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.errors import Conflict, NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import Ticket, TicketEvent, TicketMessage
from forum.services import ticket_queries, tickets
from forum.services.ticket_queries import TicketFilters
from forum.timeutil import utcnow
from tests.factories import make_user
from tests.ticket_factories import make_ticket


def _reload(ticket):
    db.session.expire_all()
    return db.session.get(Ticket, ticket.id)


def _events(ticket):
    rows = db.session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
    )
    return [(e.kind, e.old_value, e.new_value) for e in rows]


# --- opening ------------------------------------------------------------------------

def test_open_ticket_creates_message_history_and_due_time(app):
    user = make_user()
    before = utcnow()
    ticket = tickets.open_ticket(user, "Router will not start", "It blinks red since the update.",
                                 "technical")
    ticket = _reload(ticket)
    assert (ticket.status, ticket.priority, ticket.category) == ("new", "normal", "technical")
    assert ticket.requester_id == user.id and ticket.assignee_id is None
    assert timedelta(hours=24) <= ticket.due_at - before < timedelta(hours=24, minutes=1)
    (message,) = ticket_queries.messages_of(ticket, user)
    assert message.author_id == user.id and not message.is_internal
    assert message.body_html == "<p>It blinks red since the update.</p>\n"
    assert _events(ticket) == [("created", None, "web")]


@pytest.mark.parametrize("subject,body,category,field", [
    ("Hi", "A description long enough.", "technical", "subject"),
    ("x" * 151, "A description long enough.", "technical", "subject"),
    ("A fine subject", "short", "technical", "body"),
    ("A fine subject", "x" * 30_001, "technical", "body"),
    ("A fine subject", None, "technical", "body"),
    ("A fine subject", "A description long enough.", "refunds", "category"),
    ("A fine subject", "A description long enough.", None, "category"),
    ("A fine subject", "A description long enough.", ["billing"], "category"),
    (12345, "A description long enough.", "billing", "subject"),
    ("A fine\x00 subject", "A description long enough.", "billing", "subject"),
    ("A fine \ud800 subject", "A description long enough.", "billing", "subject"),
])
def test_open_ticket_invalid_input_refused_and_nothing_saved(app, subject, body, category, field):
    with pytest.raises(ValidationError) as error:
        tickets.open_ticket(make_user(), subject, body, category)
    assert field in error.value.fields
    assert db.session.scalar(select(func.count(Ticket.id))) == 0


def test_open_ticket_anonymous_must_sign_in(app):
    with pytest.raises(PermissionDenied) as error:
        tickets.open_ticket(None, "A fine subject", "A description long enough.", "other")
    assert error.value.code == "login_required"


# --- SLA -------------------------------------------------------------------------------

@pytest.mark.parametrize("priority,hours", [("low", 72), ("normal", 24), ("high", 8),
                                            ("urgent", 4)])
def test_priority_sets_first_response_due_time(app, priority, hours):
    ticket = make_ticket()
    tickets.update_ticket(make_user(role="staff"), ticket.id, priority=priority)
    ticket = _reload(ticket)
    assert ticket.due_at - ticket.waiting_since == timedelta(hours=hours)


def test_sla_hours_are_configurable(app):
    app.config["TICKET_SLA_HOURS"] = {**app.config["TICKET_SLA_HOURS"], "normal": 2}
    ticket = _reload(make_ticket())
    assert ticket.due_at - ticket.created_at == timedelta(hours=2)


def test_overdue_only_while_the_clock_runs(app):
    staff = make_user(role="staff")
    ticket = make_ticket()
    db.session.get(Ticket, ticket.id).due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert _reload(ticket).is_overdue
    tickets.update_ticket(staff, ticket.id, status="on_hold")
    assert not _reload(ticket).is_overdue  # on hold pauses the clock
    tickets.reply(staff, ticket.id, "We are on it.", status="open")
    assert _reload(ticket).due_at is None and not _reload(ticket).is_overdue


# --- replies and status transitions --------------------------------------------------------

def test_staff_reply_opens_a_new_ticket_and_answers_it(app):
    staff = make_user(role="staff")
    ticket = make_ticket()
    tickets.reply(staff, ticket.id, "Please hold the reset button.")
    ticket = _reload(ticket)
    assert ticket.status == "open"
    assert ticket.first_response_at is not None and ticket.due_at is None
    assert ("status", "new", "open") in _events(ticket)


@pytest.mark.parametrize("status,after", [("pending", "open"), ("solved", "open"),
                                          ("on_hold", "on_hold"), ("open", "open")])
def test_requester_reply_reopens_pending_or_solved(app, status, after):
    staff = make_user(role="staff")
    ticket = make_ticket()
    tickets.reply(staff, ticket.id, "Did that help?", status=status)
    tickets.reply(ticket.requester, ticket.id, "Not really, it still blinks.")
    ticket = _reload(ticket)
    assert ticket.status == after
    assert ticket.solved_at is None
    assert ticket.due_at is not None  # the requester waits again


def test_second_requester_message_keeps_the_first_deadline(app):
    ticket = make_ticket()
    first_due = _reload(ticket).due_at
    tickets.reply(ticket.requester, ticket.id, "Any news?")
    assert _reload(ticket).due_at == first_due


def test_internal_note_is_staff_only_and_changes_nothing_else(app):
    staff = make_user(role="staff")
    ticket = make_ticket()
    due = _reload(ticket).due_at
    note = tickets.reply(staff, ticket.id, "Customer is on the beta firmware.", internal=True)
    assert note.is_internal
    ticket = _reload(ticket)
    assert (ticket.status, ticket.due_at, ticket.first_response_at) == ("new", due, None)
    with pytest.raises(PermissionDenied):
        tickets.reply(ticket.requester, ticket.id, "Sneaky note", internal=True)
    with pytest.raises(ValidationError):
        tickets.reply(staff, ticket.id, "Not a flag", internal="yes")


def test_requester_cannot_set_status_with_a_reply(app):
    ticket = make_ticket()
    with pytest.raises(PermissionDenied):
        tickets.reply(ticket.requester, ticket.id, "Closing this myself", status="solved")
    assert _reload(ticket).status == "new"


def test_closed_ticket_takes_no_replies_or_changes(app):
    staff = make_user(role="staff")
    ticket = make_ticket()
    tickets.update_ticket(staff, ticket.id, status="closed")
    with pytest.raises(PermissionDenied):
        tickets.reply(ticket.requester, ticket.id, "Hello again")
    with pytest.raises(PermissionDenied):
        tickets.reply(staff, ticket.id, "Hello again")
    with pytest.raises(Conflict):
        tickets.update_ticket(staff, ticket.id, priority="high")


def test_update_records_every_change(app):
    staff, other_staff = make_user(role="staff"), make_user("helga", role="staff")
    ticket = make_ticket()
    tickets.update_ticket(staff, ticket.id, status="pending", priority="urgent",
                          category="billing", assignee="helga")
    tickets.update_ticket(staff, ticket.id, assignee=None)
    tickets.update_ticket(staff, ticket.id, status="pending", priority="urgent")  # no change
    ticket = _reload(ticket)
    assert (ticket.status, ticket.priority, ticket.category) == ("pending", "urgent", "billing")
    assert ticket.assignee_id is None
    assert _events(ticket)[1:] == [
        ("priority", "normal", "urgent"), ("category", "other", "billing"),
        ("assignee", None, "helga"), ("status", "new", "pending"), ("assignee", "helga", None),
    ]
    actors = db.session.scalars(select(TicketEvent.actor_id).where(TicketEvent.kind != "created"))
    assert set(actors) == {staff.id} and other_staff.id != staff.id


@pytest.mark.parametrize("changes,field", [
    ({"status": "done"}, "status"),
    ({"priority": "asap"}, "priority"),
    ({"priority": 3}, "priority"),
    ({"category": "refunds"}, "category"),
    ({"assignee": "nobody-like-this"}, "assignee"),
    ({"assignee": 12}, "assignee"),
    ({"status": "solved", "priority": "bogus"}, "priority"),
])
def test_update_invalid_values_change_nothing(app, changes, field):
    staff = make_user(role="staff")
    ticket = make_ticket()
    with pytest.raises(ValidationError) as error:
        tickets.update_ticket(staff, ticket.id, **changes)
    assert field in error.value.fields
    assert _reload(ticket).status == "new" and len(_events(ticket)) == 1


def test_status_cannot_go_back_to_new(app):
    staff = make_user(role="staff")
    ticket = make_ticket()
    tickets.update_ticket(staff, ticket.id, status="new")  # unchanged: fine
    tickets.update_ticket(staff, ticket.id, status="open")
    with pytest.raises(ValidationError):
        tickets.update_ticket(staff, ticket.id, status="new")


def test_assignee_must_be_staff(app):
    make_user("plainuser")
    ticket = make_ticket()
    with pytest.raises(ValidationError):
        tickets.update_ticket(make_user(role="staff"), ticket.id, assignee="plainuser")


def test_only_staff_update_tickets(app):
    ticket = make_ticket()
    for user in (ticket.requester, make_user(), make_user(role="moderator")):
        with pytest.raises((PermissionDenied, NotFound)):
            tickets.update_ticket(user, ticket.id, status="solved")


# --- visibility ------------------------------------------------------------------------------

def test_ticket_visible_to_requester_and_staff_only(app):
    ticket = make_ticket()
    assert ticket_queries.get_ticket(ticket.id, ticket.requester).id == ticket.id
    assert ticket_queries.get_ticket(ticket.id, make_user(role="staff")).id == ticket.id
    assert ticket_queries.get_ticket(str(ticket.id), make_user(role="admin")).id == ticket.id
    for outsider in (make_user(), make_user(role="moderator")):
        with pytest.raises(NotFound):
            ticket_queries.get_ticket(ticket.id, outsider)
    with pytest.raises(PermissionDenied):
        ticket_queries.get_ticket(ticket.id, None)
    for bad in (999_999, "x", None, -1, "1\x00"):
        with pytest.raises(NotFound):
            ticket_queries.get_ticket(bad, ticket.requester)


def test_internal_notes_never_load_for_the_requester(app):
    staff = make_user(role="staff")
    ticket = make_ticket()
    tickets.reply(staff, ticket.id, "SECRET internal remark", internal=True)
    tickets.reply(staff, ticket.id, "A public answer")
    page = ticket_queries.ticket_page(ticket.id, ticket.requester)
    assert [m.body for m in page.messages][1:] == ["A public answer"]
    assert page.events == [] and page.staff == []
    staff_page = ticket_queries.ticket_page(ticket.id, staff)
    assert "SECRET internal remark" in [m.body for m in staff_page.messages]
    assert staff_page.events and staff in staff_page.staff


# --- lists -----------------------------------------------------------------------------------

def test_desk_filters_and_counts(app):
    staff = make_user("desker", role="staff")
    colleague = make_user(role="staff")
    a = make_ticket(category="billing")
    b = make_ticket(category="technical")
    c = make_ticket(category="technical")
    tickets.update_ticket(staff, a.id, assignee="desker", priority="urgent")
    tickets.update_ticket(staff, b.id, status="solved")
    tickets.update_ticket(staff, c.id, assignee=colleague.username)
    db.session.get(Ticket, c.id).due_at = utcnow() - timedelta(hours=1)
    db.session.commit()

    def ids(**kwargs):
        page = ticket_queries.desk_tickets(staff, TicketFilters(**kwargs), 1, 30)
        return [t.id for t in page.items]

    assert ids() == [c.id, a.id]  # unsolved, due first
    assert ids(status="all", sort="created") == [c.id, b.id, a.id]
    assert ids(status="solved") == [b.id]
    assert ids(category="billing") == [a.id]
    assert ids(priority="urgent") == [a.id]
    assert ids(mine=True) == [a.id]
    assert ids(assignee=colleague.username.upper()) == [c.id]
    assert ids(assignee="none", status="all") == [b.id]
    assert ids(overdue=True) == [c.id]
    assert ids(sort="priority") == [a.id, c.id]
    counts = ticket_queries.status_counts()
    assert (counts["new"], counts["solved"], counts["unsolved"], counts["all"]) == (2, 1, 2, 3)
    assert counts["overdue"] == 1
    for bad in ({"status": "nope"}, {"sort": "x"}, {"priority": "p"}, {"category": "c"},
                {"assignee": "a\x00"}):
        with pytest.raises(ValidationError):
            ids(**bad)
    with pytest.raises(PermissionDenied):
        ticket_queries.desk_tickets(a.requester, TicketFilters(), 1, 30)


def test_requested_tickets_are_only_ones_own(app):
    mine = make_ticket()
    make_ticket()
    page = ticket_queries.requested_tickets(mine.requester, 1, 30)
    assert [t.id for t in page.items] == [mine.id]
    staff_page = ticket_queries.visible_tickets(make_user(role="staff"), TicketFilters(), 1, 30)
    assert staff_page.total == 2


# --- autoclose --------------------------------------------------------------------------------

def test_autoclose_closes_tickets_solved_over_seven_days_ago(app):
    staff = make_user(role="staff")
    old, recent, open_one = make_ticket(), make_ticket(), make_ticket()
    for ticket in (old, recent):
        tickets.update_ticket(staff, ticket.id, status="solved")
    db.session.get(Ticket, old.id).solved_at = utcnow() - timedelta(days=7, minutes=1)
    db.session.commit()
    assert tickets.autoclose() == [old.id]
    assert [_reload(t).status for t in (old, recent, open_one)] == ["closed", "solved", "new"]
    event = db.session.scalar(select(TicketEvent).where(
        TicketEvent.ticket_id == old.id, TicketEvent.new_value == "closed"))
    assert event.actor_id is None
    assert tickets.autoclose() == []


def test_messages_are_stored_as_sanitised_html(app):
    ticket = make_ticket(body="<script>alert(1)</script> **bold** text here")
    html = db.session.scalar(select(TicketMessage.body_html).where(
        TicketMessage.ticket_id == ticket.id))
    assert "<script" not in html and "<strong>bold</strong>" in html
