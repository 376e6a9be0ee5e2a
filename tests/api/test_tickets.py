"""The Tickets section of API.md: status codes, error shape, visibility, documented shapes."""
import pytest

from forum.extensions import db
from forum.models import Ticket
from forum.services import escalation, tickets
from tests.api.helpers import assert_error
from tests.api.test_openapi import _check, _response_schema, spec  # noqa: F401 (fixture)
from tests.factories import make_thread, make_user
from tests.ticket_factories import make_ticket

NEW = {"subject": "Router will not start", "body": "It blinks red since the update.",
       "category": "technical"}


# --- escalating a thread -------------------------------------------------------------------

def test_convert_thread_creates_ticket_once(api):
    staff = make_user("agent", role="staff")
    thread = make_thread()
    response = api.post(f"/threads/{thread.id}/ticket", user=staff,
                        json={"priority": "high", "category": "installation", "assignee": "agent"})
    assert response.status_code == 201
    body = response.get_json()
    assert (body["priority"], body["category"], body["assignee"]["username"]) == (
        "high", "installation", "agent")
    assert body["requester"]["id"] == thread.author_id and body["source_thread_id"] == thread.id
    assert body["status"] == "new" and body["messages"][0]["via"] == "thread"
    again = api.post(f"/threads/{thread.id}/ticket", user=staff, json={})
    assert_error(again, 409, "conflict")


def test_convert_thread_refusals(api):
    thread = make_thread()
    staff = make_user(role="staff")
    assert_error(api.post(f"/threads/{thread.id}/ticket", json={}), 401)
    assert_error(api.post(f"/threads/{thread.id}/ticket", user=thread.author, json={}), 403)
    assert_error(api.post("/threads/999999/ticket", user=staff, json={}), 404)
    assert_error(api.post(f"/threads/{thread.id}/ticket", user=staff, json={"priority": 0}),
                 422, field="priority")
    assert_error(api.post(f"/threads/{thread.id}/ticket", user=staff,
                          json={"assignee": thread.author.username}), 422, field="assignee")
    assert_error(api.post(f"/threads/{thread.id}/ticket", user=staff, data="{",
                          content_type="application/json"), 400)
    assert db.session.scalar(db.select(Ticket.id)) is None


def test_thread_shows_ticket_id_to_asker_and_staff_only(api):
    staff = make_user(role="staff")
    thread = make_thread()
    ticket = escalation.convert_thread(staff, thread.id)
    for user in (thread.author, staff):
        assert api.get(f"/threads/{thread.id}", user=user).get_json()["ticket_id"] == ticket.id
    for user in (None, make_user(), make_user(role="moderator")):
        assert api.get(f"/threads/{thread.id}", user=user).get_json()["ticket_id"] is None


# --- contact support -------------------------------------------------------------------------

def test_create_ticket_ignores_extra_fields(api):
    user = make_user()
    staff = make_user("agent", role="staff")
    response = api.post("/tickets", user=user, json={
        **NEW, "status": "solved", "priority": "urgent", "assignee": "agent",
        "requester": staff.id, "internal": True})
    assert response.status_code == 201
    body = response.get_json()
    assert (body["status"], body["priority"], body["assignee"]) == ("new", "normal", None)
    assert body["requester"]["id"] == user.id
    assert body["messages"][0]["via"] == "api" and not body["messages"][0]["internal"]
    assert body["due_at"].endswith("Z") and body["is_overdue"] is False


@pytest.mark.parametrize("change,field", [
    ({"subject": None}, "subject"), ({"body": ""}, "body"), ({"category": "refund"}, "category"),
    ({"subject": ["x"]}, "subject"), ({"body": "x" * 30_001}, "body"),
    ({"subject": "A subject \u0000 with NUL"}, "subject"),
])
def test_create_ticket_invalid_input(api, change, field):
    response = api.post("/tickets", user=make_user(), json={**NEW, **change})
    assert_error(response, 422, "validation_failed", field)


def test_create_ticket_needs_a_token(api):
    assert_error(api.post("/tickets", json=NEW), 401)
    assert_error(api.post("/tickets", user=make_user(), json=[NEW]), 400)


# --- reading -----------------------------------------------------------------------------------

def test_ticket_visible_to_requester_and_staff_only(api):
    staff = make_user(role="staff")
    ticket = make_ticket()
    tickets.reply(staff, ticket.id, "NOTE only for staff", internal=True)
    tickets.reply(staff, ticket.id, "A public answer")
    mine = api.get(f"/tickets/{ticket.id}", user=ticket.requester).get_json()
    assert [m["body"] for m in mine["messages"]][1:] == ["A public answer"]
    assert not any(m["internal"] for m in mine["messages"])
    assert "NOTE only for staff" not in str(mine)
    theirs = api.get(f"/tickets/{ticket.id}", user=staff).get_json()
    assert [m["internal"] for m in theirs["messages"]] == [False, True, False]
    for outsider in (make_user(), make_user(role="moderator")):
        assert_error(api.get(f"/tickets/{ticket.id}", user=outsider), 404, "not_found")
    assert_error(api.get(f"/tickets/{ticket.id}"), 401)
    assert_error(api.get("/tickets/999999", user=staff), 404)


def test_list_tickets_staff_all_with_filters_users_own(api):
    staff = make_user("agent", role="staff")
    mine = make_ticket(category="billing")
    other = make_ticket(category="technical")
    tickets.update_ticket(staff, other.id, assignee="agent", status="pending")
    own = api.get("/tickets", user=mine.requester).get_json()
    assert [t["id"] for t in own["items"]] == [mine.id] and own["total"] == 1
    assert "messages" not in own["items"][0]
    everything = api.get("/tickets", user=staff).get_json()
    assert {t["id"] for t in everything["items"]} == {mine.id, other.id}
    for query, expected in (("status=pending", [other.id]), ("category=billing", [mine.id]),
                            ("assignee=agent", [other.id]), ("assignee=none", [mine.id]),
                            ("status=unsolved&category=technical", [other.id])):
        items = api.get(f"/tickets?{query}", user=staff).get_json()["items"]
        assert [t["id"] for t in items] == expected, query
    assert api.get("/tickets?status=pending", user=mine.requester).get_json()["total"] == 0
    assert_error(api.get("/tickets?status=bogus", user=staff), 422, field="status")
    assert_error(api.get("/tickets?per_page=101", user=staff), 422)
    assert_error(api.get("/tickets"), 401)


# --- replying -----------------------------------------------------------------------------------

def test_messages_requester_reply_and_staff_note(api):
    staff = make_user(role="staff")
    ticket = make_ticket()
    tickets.reply(staff, ticket.id, "Solved, we think.", status="solved")
    response = api.post(f"/tickets/{ticket.id}/messages", user=ticket.requester,
                        json={"body": "Still broken."})
    assert response.status_code == 201 and response.get_json()["internal"] is False
    assert db.session.get(Ticket, ticket.id).status == "open"
    assert_error(api.post(f"/tickets/{ticket.id}/messages", user=ticket.requester,
                          json={"body": "Let me note", "internal": True}), 403)
    note = api.post(f"/tickets/{ticket.id}/messages", user=staff,
                    json={"body": "Known issue", "internal": True})
    assert note.status_code == 201 and note.get_json()["internal"] is True
    assert_error(api.post(f"/tickets/{ticket.id}/messages", user=staff,
                          json={"body": "x", "internal": "maybe"}), 422)
    assert_error(api.post(f"/tickets/{ticket.id}/messages", user=make_user(),
                          json={"body": "Hello there"}), 404)
    assert_error(api.post(f"/tickets/{ticket.id}/messages", user=staff, json={}), 422, field="body")


def test_closed_ticket_refuses_replies_and_changes(api):
    staff = make_user(role="staff")
    ticket = make_ticket()
    tickets.update_ticket(staff, ticket.id, status="closed")
    assert_error(api.post(f"/tickets/{ticket.id}/messages", user=ticket.requester,
                          json={"body": "Hello again"}), 403)
    assert_error(api.patch(f"/tickets/{ticket.id}", user=staff, json={"status": "open"}), 409)


# --- changing ---------------------------------------------------------------------------------

def test_patch_changes_only_given_fields(api):
    staff = make_user("agent", role="staff")
    ticket = make_ticket()
    response = api.patch(f"/tickets/{ticket.id}", user=staff,
                         json={"priority": "urgent", "assignee": "agent", "subject": "Hacked"})
    body = response.get_json()
    assert response.status_code == 200
    assert (body["priority"], body["assignee"]["username"], body["status"]) == (
        "urgent", "agent", "new")
    assert body["subject"] != "Hacked"
    body = api.patch(f"/tickets/{ticket.id}", user=staff, json={"assignee": None}).get_json()
    assert body["assignee"] is None and body["priority"] == "urgent"


def test_patch_refusals(api):
    staff = make_user(role="staff")
    ticket = make_ticket()
    assert_error(api.patch(f"/tickets/{ticket.id}", user=ticket.requester,
                           json={"status": "solved"}), 403)
    assert_error(api.patch(f"/tickets/{ticket.id}", user=make_user(), json={}), 404)
    assert_error(api.patch(f"/tickets/{ticket.id}", json={}), 401)
    for bad in ({"status": "new_ish"}, {"priority": None}, {"category": 7},
                {"assignee": ticket.requester.username}):
        assert_error(api.patch(f"/tickets/{ticket.id}", user=staff, json=bad), 422)
    assert db.session.get(Ticket, ticket.id).priority == "normal"


# --- the documented shapes ----------------------------------------------------------------------

def test_ticket_responses_match_documented_schemas(api, spec):  # noqa: F811
    staff = make_user("agent", role="staff")
    user = make_user()
    thread = make_thread(user)
    created = api.post("/tickets", user=user, json=NEW)
    ticket_id = created.get_json()["id"]
    calls = [
        ("/tickets", "post", 201, created),
        ("/threads/{thread_id}/ticket", "post", 201, api.post(
            f"/threads/{thread.id}/ticket", user=staff, json={"assignee": "agent"})),
        ("/tickets/{ticket_id}/messages", "post", 201, api.post(
            f"/tickets/{ticket_id}/messages", user=staff, json={"body": "Hi", "internal": True})),
        ("/tickets/{ticket_id}", "patch", 200, api.patch(
            f"/tickets/{ticket_id}", user=staff, json={"assignee": "agent"})),
        ("/tickets/{ticket_id}", "get", 200, api.get(f"/tickets/{ticket_id}", user=staff)),
        ("/tickets", "get", 200, api.get("/tickets", user=staff)),
    ]
    for path, method, status, response in calls:
        assert response.status_code == status, (path, method, response.get_json())
        _check(spec, _response_schema(spec, path, method, status), response.get_json(),
               f"{method.upper()} {path}")
    schemas = spec["components"]["schemas"]
    body = calls[-2][3].get_json()
    assert set(body) == set(schemas["Ticket"]["properties"])
    assert set(body["messages"][0]) == set(schemas["TicketMessage"]["properties"])


def test_ticket_and_list_query_counts_do_not_grow(api, count_queries):
    staff = make_user(role="staff")
    small, large = make_ticket(), make_ticket()
    for n in range(50):
        tickets.reply(staff, large.id, f"Reply {n}", internal=n % 2 == 0)
        make_ticket(large.requester)
    headers = api.headers(staff)
    counts = []
    for path in (f"/tickets/{small.id}", f"/tickets/{large.id}",
                 f"/tickets?assignee={staff.username}", "/tickets?per_page=50"):
        db.session.expire_all()
        with count_queries() as counted:
            assert api.get(path, headers=headers).status_code == 200
        counts.append(counted.count)
    assert counts[0] == counts[1] and counts[2] == counts[3], counts


def test_emailed_attachments_are_listed(api, app, spec):  # noqa: F811
    from forum.services import mail_ingest, ticket_mail
    from tests.services.test_mail_ingest import _mail

    app.config["TICKET_ATTACHMENT_MAX_BYTES"] = 100
    ticket = make_ticket()
    raw = _mail(ticket.requester.email, ticket_mail.reply_address(ticket.id), "See files.",
                files=[("a.txt", "text/plain", b"hello"), ("b.bin", "application/zip", b"x" * 101)])
    assert mail_ingest.ingest(raw).outcome == "reply"
    response = api.get(f"/tickets/{ticket.id}", user=ticket.requester)
    files = response.get_json()["messages"][-1]["attachments"]
    assert [(f["filename"], f["size"], f["refused"]) for f in files] == [
        ("a.txt", 5, False), ("b.bin", 101, True)]
    assert files[0]["url"].endswith(f"/support/attachments/{files[0]['id']}/a.txt")
    assert files[1]["url"] is None
    _check(spec, _response_schema(spec, "/tickets/{ticket_id}", "get", 200), response.get_json())
