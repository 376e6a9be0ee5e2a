"""The staff desk: ticket list, changing tickets, unresolved threads, escalation links."""
from datetime import timedelta

from forum.extensions import db
from forum.models import Post, Thread, Ticket
from forum.services import escalation, tickets
from forum.timeutil import utcnow
from tests.factories import make_answer, make_thread, make_user
from tests.ticket_factories import make_ticket
from tests.web.helpers import fresh, sign_in, text


def _old_thread(**kwargs):
    thread = make_thread(**kwargs)
    row = db.session.get(Thread, thread.id)
    row.created_at = row.last_activity_at = utcnow() - timedelta(days=3)
    db.session.commit()
    return thread


def _committed(query):
    """A row the web app committed, read in a fresh transaction of the test's session."""
    db.session.rollback()
    return db.session.scalar(query)


def test_desk_is_for_staff_only(client):
    assert "/login" in client.get("/support/tickets").headers["Location"]
    assert "/login" in client.get("/support/unresolved").headers["Location"]
    sign_in(client, make_user(role="moderator"))
    assert client.get("/support/tickets").status_code == 403
    assert client.get("/support/unresolved").status_code == 403


def test_desk_lists_filters_and_counts(client):
    staff = make_user("agent", role="staff")
    billing = make_ticket(category="billing", subject="Invoice is wrong twice")
    make_ticket(category="technical", subject="Router blinks red again")
    tickets.update_ticket(staff, billing.id, assignee="agent", priority="urgent")
    sign_in(client, staff)
    page = text(client.get("/support/tickets"))
    assert "Invoice is wrong twice" in page and "Router blinks red again" in page
    assert 'aria-current="page">Unsolved <span class="count">2</span>' in page
    page = text(client.get("/support/tickets?mine=1"))
    assert "Invoice is wrong twice" in page and "Router blinks red again" not in page
    page = text(client.get("/support/tickets?category=technical&sort=priority"))
    assert "Invoice is wrong twice" not in page and "Router blinks red again" in page
    assert "Router blinks" not in text(client.get("/support/tickets?status=solved"))
    for bad in ("status=zzz", "sort=x", "priority=p", "page=0", "assignee=%00"):
        assert client.get(f"/support/tickets?{bad}").status_code == 404, bad


def test_overdue_tickets_stand_out(client):
    staff = make_user(role="staff")
    late = make_ticket(subject="Waiting far too long")
    db.session.get(Ticket, late.id).due_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    sign_in(client, staff)
    page = text(client.get("/support/tickets?overdue=1"))
    assert "row-overdue" in page and "Waiting far too long" in page
    assert "Overdue" in text(client.get(f"/support/tickets/{late.id}"))


def test_update_form_changes_the_ticket(client):
    staff = make_user("agent", role="staff")
    ticket = make_ticket()
    sign_in(client, staff)
    data = {"status": "new", "priority": "high", "category": "account", "assignee": "agent"}
    response = client.post(f"/support/tickets/{ticket.id}/update", data=data)
    assert response.status_code == 302
    ticket = fresh(Ticket, ticket.id)
    assert (ticket.status, ticket.priority, ticket.category, ticket.assignee_id) == (
        "new", "high", "account", staff.id)
    response = client.post(f"/support/tickets/{ticket.id}/update", data={**data, "priority": "x"})
    assert response.status_code == 422 and "priority must be one of" in text(response)
    sign_in(client, ticket.requester)
    assert client.post(f"/support/tickets/{ticket.id}/update", data=data).status_code == 403


def test_update_closed_ticket_is_a_conflict(client):
    staff = make_user(role="staff")
    ticket = make_ticket()
    tickets.update_ticket(staff, ticket.id, status="closed")
    sign_in(client, staff)
    response = client.post(f"/support/tickets/{ticket.id}/update", data={"priority": "high"})
    assert response.status_code == 409 and "closed" in text(response)


def test_unresolved_page_says_when_there_are_more_than_it_counted(client, monkeypatch):
    monkeypatch.setattr(escalation, "UNRESOLVED_COUNT_BEYOND", 0)  # count to the page's end
    for number in range(31):
        _old_thread(title=f"Unresolved question number {number}")
    sign_in(client, make_user(role="staff"))
    page = text(client.get("/support/unresolved"))
    assert "More than 30 threads" in page and 'rel="next"' in page
    monkeypatch.setattr(escalation, "UNRESOLVED_COUNT_BEYOND", 1)
    assert "31 threads" in text(client.get("/support/unresolved"))


def test_unresolved_page_converts_in_one_click(client):
    staff = make_user(role="staff")
    thread = _old_thread(title="Wi-Fi keeps dropping at night")
    sign_in(client, staff)
    page = text(client.get("/support/unresolved"))
    assert "Wi-Fi keeps dropping at night" in page and "Convert to ticket" in page
    response = client.post(f"/support/threads/{thread.id}/convert",
                           data={"assignee": staff.username})
    ticket = _committed(db.select(Ticket))
    assert response.headers["Location"] == f"/support/tickets/{ticket.id}"
    assert ticket.assignee_id == staff.id and ticket.source_thread_id == thread.id
    assert "Wi-Fi keeps dropping" not in text(client.get("/support/unresolved"))
    again = client.post(f"/support/threads/{thread.id}/convert", data={})
    assert again.status_code == 409 and "already has a ticket" in text(again)


def test_convert_form_picks_category_priority_assignee(client):
    staff = make_user("agent", role="staff")
    thread = make_thread()
    sign_in(client, staff)
    form = text(client.get(f"/support/threads/{thread.id}/convert"))
    assert '<option value="agent" selected>' in form
    response = client.post(f"/support/threads/{thread.id}/convert",
                           data={"category": "installation", "priority": "urgent", "assignee": ""})
    assert response.status_code == 302
    ticket = _committed(db.select(Ticket))
    assert (ticket.category, ticket.priority, ticket.assignee_id) == ("installation", "urgent", None)
    bad = client.post(f"/support/threads/{make_thread().id}/convert", data={"priority": "asap"})
    assert bad.status_code == 422 and 'value="asap"' not in text(bad)
    sign_in(client, thread.author)
    assert client.get(f"/support/threads/{thread.id}/convert").status_code == 403


def test_thread_page_links_to_the_ticket_for_asker_and_staff_only(client):
    staff = make_user(role="staff")
    thread = make_thread()
    url = f"/t/{thread.id}/{thread.slug}"
    sign_in(client, staff)
    assert "Convert to ticket" in text(client.get(url))
    ticket = escalation.convert_thread(staff, thread.id)
    link = f'href="/support/tickets/{ticket.id}"'
    page = text(client.get(url))
    assert "Escalated to support" in page and link in page
    client.post("/logout")
    page = text(client.get(url))
    assert "Escalated to support" in page and link not in page
    sign_in(client, make_user())
    assert link not in text(client.get(url))
    sign_in(client, thread.author)
    assert link in text(client.get(url))
    assert "Community thread" in text(client.get(f"/support/tickets/{ticket.id}"))


def test_resolution_is_posted_as_a_staff_answer(client):
    staff = make_user(role="staff")
    thread = make_thread()
    make_answer(thread)
    ticket = escalation.convert_thread(staff, thread.id)
    tickets.reply(staff, ticket.id, "Update the firmware to 2.5, that fixes it.", status="solved")
    sign_in(client, staff)
    page = text(client.get(f"/support/tickets/{ticket.id}"))
    assert "Post resolution to thread" in page
    assert "Update the firmware to 2.5, that fixes it.</textarea>" in page
    response = client.post(f"/support/tickets/{ticket.id}/resolution",
                           data={"body": "Update the firmware to 2.5, that fixes it."})
    post = _committed(db.select(Post).where(Post.is_staff_answer.is_(True)))
    assert response.headers["Location"] == f"/p/{post.id}"
    sign_in(client, thread.author)
    page = text(client.get(f"/t/{thread.id}/{thread.slug}"))
    assert "Staff answer from our support team" in page
    assert f'name="answer_id" value="{post.id}"' in page  # the asker can accept it
    sign_in(client, staff)
    again = client.post(f"/support/tickets/{ticket.id}/resolution", data={"body": "x" * 30})
    assert again.status_code == 409
