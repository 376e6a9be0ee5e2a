"""The support pages run a fixed number of queries, however many tickets or messages."""
from datetime import timedelta

import pytest

from forum.extensions import db
from forum.models import Thread, User
from forum.services import tickets
from forum.timeutil import utcnow
from tests.factories import make_thread, make_user
from tests.ticket_factories import make_ticket
from tests.web.helpers import fresh, sign_in


def _queries(client, count_queries, url) -> int:
    db.session.remove()
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return counter.count


def _ticket_with_messages(count: int, staff, requester):
    ticket = make_ticket(requester)
    for n in range(count):
        tickets.reply(staff, ticket.id, f"Staff message {n}", internal=n % 3 == 0)
        tickets.reply(requester, ticket.id, f"Requester message {n}")
        tickets.update_ticket(staff, ticket.id, priority=("high", "low")[n % 2])
    return ticket.id


@pytest.mark.parametrize("viewer", ["staff", "requester"])
def test_ticket_page_same_queries_for_1_and_50_messages(client, count_queries, viewer):
    staff, requester = make_user(role="staff"), make_user()
    small = _ticket_with_messages(1, staff, requester)
    large = _ticket_with_messages(50, staff, requester)
    sign_in(client, staff if viewer == "staff" else requester)
    one = _queries(client, count_queries, f"/support/tickets/{small}")
    fifty = _queries(client, count_queries, f"/support/tickets/{large}")
    assert one == fifty <= 10, (one, fifty)


def test_desk_and_my_tickets_same_queries_for_1_and_50_tickets(client, count_queries):
    staff = make_user("agent", role="staff")
    lonely, busy = make_user(), make_user()
    make_ticket(lonely, category="billing")
    for n in range(50):
        ticket = make_ticket(busy)
        if n % 2:
            tickets.update_ticket(staff, ticket.id, assignee="agent")
    ids = (lonely.id, busy.id, staff.id)
    sign_in(client, lonely)
    one = _queries(client, count_queries, "/support/my-tickets")
    sign_in(client, fresh(User, ids[1]))
    fifty = _queries(client, count_queries, "/support/my-tickets")
    assert one == fifty <= 8, (one, fifty)
    sign_in(client, fresh(User, ids[2]))
    one = _queries(client, count_queries, "/support/tickets?category=billing")
    many = _queries(client, count_queries, "/support/tickets?status=all")  # a full page of 30
    assert one == many <= 10, (one, many)


def test_unresolved_same_queries_for_1_and_50_threads(client, count_queries):
    staff = make_user(role="staff")
    authors = [make_user() for _ in range(5)]
    for n in range(50):
        thread = make_thread(authors[n % 5])
        row = db.session.get(Thread, thread.id)
        row.created_at = row.last_activity_at = utcnow() - timedelta(days=3, minutes=n)
    db.session.commit()
    sign_in(client, staff)
    fifty = _queries(client, count_queries, "/support/unresolved")
    one = _queries(client, count_queries, "/support/unresolved?page=2")  # 30 per page: 20 left
    assert one == fifty <= 8, (one, fifty)
