"""Escalation: unresolved threads, converting one to a ticket, posting the resolution back."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.errors import Conflict, NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import Post, Thread, Ticket, TicketEvent
from forum.services import escalation, threads, ticket_queries, tickets, views, votes
from forum.timeutil import utcnow
from tests.factories import make_answer, make_thread, make_user, make_voter
from tests.ticket_factories import make_ticket


def _age(thread, *, created=None, active=None):
    """Move a thread's times into the past (hours ago)."""
    row = db.session.get(Thread, thread.id)
    now = utcnow()
    if created is not None:
        row.created_at = now - timedelta(hours=created)
    row.last_activity_at = now - timedelta(hours=active if active is not None else created or 0)
    db.session.commit()


def _unresolved(staff, sort="age"):
    return [t.id for t in escalation.unresolved_threads(staff, sort).items]


def test_unresolved_lists_unanswered_after_48_hours_and_idle_after_7_days(app):
    staff = make_user(role="staff")
    fresh = make_thread()
    _age(fresh, created=47)
    unanswered = make_thread()
    _age(unanswered, created=49)
    answered_recently = make_thread()
    make_answer(answered_recently)
    _age(answered_recently, created=100, active=24)
    idle = make_thread()
    make_answer(idle)
    _age(idle, created=24 * 30, active=24 * 7 + 1)
    accepted = make_thread()
    threads.accept_answer(accepted.author, accepted.id, make_answer(accepted).id)
    _age(accepted, created=24 * 30)
    escalated = make_thread()
    _age(escalated, created=100)
    escalation.convert_thread(staff, escalated.id)
    assert _unresolved(staff) == [idle.id, unanswered.id]


def test_unresolved_thresholds_are_configurable(app):
    staff = make_user(role="staff")
    thread = make_thread()
    _age(thread, created=5)
    app.config["UNRESOLVED_NO_ANSWER_HOURS"] = 4
    assert _unresolved(staff) == [thread.id]


def test_unresolved_sorts_by_age_votes_and_views(app):
    staff = make_user(role="staff")
    old, voted, viewed = make_thread(), make_thread(), make_thread()
    _age(old, created=100)
    _age(voted, created=60)
    _age(viewed, created=50)
    votes.cast_vote(make_voter(), voted.question.id, 1)
    views.record(viewed.id)
    views.flush()
    _age(voted, created=60)  # the vote does not count as activity, but keep it exact
    assert _unresolved(staff, "age") == [old.id, voted.id, viewed.id]
    assert _unresolved(staff, "votes")[0] == voted.id
    assert _unresolved(staff, "views")[0] == viewed.id
    with pytest.raises(ValidationError):
        escalation.unresolved_threads(staff, "random")
    with pytest.raises(PermissionDenied):
        escalation.unresolved_threads(make_user())


def test_unresolved_count_stops_a_set_distance_past_the_page(app, monkeypatch):
    monkeypatch.setattr(escalation, "UNRESOLVED_COUNT_BEYOND", 3)
    staff = make_user(role="staff")
    for _ in range(6):
        _age(make_thread(), created=100)

    def page(number, per_page):
        found = escalation.unresolved_threads(staff, "age", number, per_page)
        return len(found.items), found.total, found.total_is_exact, found.has_next

    assert page(1, 1) == (1, 4, False, True)  # counted 3 past the page's end: more exist
    assert page(2, 1) == (1, 5, False, True)  # the count moves with the page
    assert page(3, 1) == (1, 6, True, True)  # every thread counted
    assert page(1, 10) == (6, 6, True, False)


def test_convert_thread_makes_a_ticket_for_the_asker(app):
    staff = make_user("agent", role="staff")
    thread = make_thread(body="My router blinks red.\n\nI tried a reset.")
    ticket = escalation.convert_thread(staff, thread.id, priority="high", category="technical",
                                       assignee="agent")
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.requester_id == thread.author_id and ticket.subject == thread.title
    assert (ticket.priority, ticket.category, ticket.assignee_id) == ("high", "technical", staff.id)
    assert ticket.source_thread_id == thread.id
    first = ticket_queries.messages_of(ticket, staff)[0]
    assert first.author_id == thread.author_id and first.via == "thread"
    assert "> My router blinks red.\n>\n> I tried a reset." in first.body
    assert f"/t/{thread.id}/{thread.slug}" in first.body
    assert f'href="http://127.0.0.1:5000/t/{thread.id}/{thread.slug}"' in first.body_html
    kinds = db.session.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id))
    assert list(kinds) == ["created", "escalated"]


def test_thread_has_at_most_one_ticket(app):
    staff = make_user(role="staff")
    thread = make_thread()
    escalation.convert_thread(staff, thread.id)
    with pytest.raises(Conflict):
        escalation.convert_thread(staff, thread.id)
    assert len(list(db.session.scalars(select(Ticket.id)))) == 1


def test_only_staff_convert_threads(app):
    thread = make_thread()
    for user in (thread.author, make_user(), make_user(role="moderator")):
        with pytest.raises(PermissionDenied):
            escalation.convert_thread(user, thread.id)
    with pytest.raises(NotFound):
        escalation.convert_thread(make_user(role="staff"), 999_999)


@pytest.mark.parametrize("field,value", [("priority", "asap"), ("category", "x"),
                                         ("assignee", "no-such-agent")])
def test_convert_with_bad_choices_changes_nothing(app, field, value):
    thread = make_thread()
    with pytest.raises(ValidationError):
        escalation.convert_thread(make_user(role="staff"), thread.id, **{field: value})
    assert db.session.scalar(select(Ticket.id)) is None


def test_thread_page_shows_escalation_to_all_and_ticket_to_asker_and_staff(app):
    staff = make_user(role="staff")
    thread = make_thread()
    assert not threads.thread_page(thread.id, None).escalated
    ticket = escalation.convert_thread(staff, thread.id)
    for viewer in (None, make_user(), make_user(role="moderator")):
        page = threads.thread_page(thread.id, viewer)
        assert page.escalated and page.ticket_id is None
    for viewer in (thread.author, staff):
        page = threads.thread_page(thread.id, viewer)
        assert page.escalated and page.ticket_id == ticket.id


def test_post_resolution_adds_a_staff_answer_the_asker_can_accept(app):
    staff = make_user(role="staff")
    thread = make_thread()
    ticket = escalation.convert_thread(staff, thread.id)
    with pytest.raises(Conflict):  # not solved yet
        escalation.post_resolution(staff, ticket.id, "Set a fixed channel to fix the drops.")
    tickets.update_ticket(staff, ticket.id, status="solved")
    post = escalation.post_resolution(staff, ticket.id, "Set a fixed channel to fix the drops.")
    post = db.session.get(Post, post.id)
    assert post.is_staff_answer and post.author_id == staff.id and post.thread_id == thread.id
    assert db.session.get(Ticket, ticket.id).resolution_post_id == post.id
    threads.accept_answer(thread.author, thread.id, post.id)
    assert db.session.get(Thread, thread.id).accepted_answer_id == post.id
    with pytest.raises(Conflict):
        escalation.post_resolution(staff, ticket.id, "Posting the resolution again here.")
    with pytest.raises(PermissionDenied):
        escalation.post_resolution(thread.author, ticket.id, "The asker cannot do this one.")


def test_post_resolution_needs_a_thread(app):
    staff = make_user(role="staff")
    ticket = make_ticket()
    tickets.update_ticket(staff, ticket.id, status="solved")
    with pytest.raises(Conflict):
        escalation.post_resolution(staff, ticket.id, "There is no thread to answer here.")
