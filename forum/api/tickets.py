"""Support tickets over the API: escalate a thread, contact support, list, read, reply, change.

A ticket is answered from the same read as its page (ticket_page), so the
API shows exactly what the page shows: internal notes only to staff, and a
404 to anyone who is neither staff nor the requester.
"""
from flask import jsonify

from ..services import escalation, ticket_queries, tickets
from . import bp
from .auth import require_user
from .parsing import json_body, pagination, query_text
from .serializers import page_json
from .ticket_serializers import ticket_json, ticket_message_json, ticket_summary_json

_CHANGEABLE = ("status", "priority", "category", "assignee")


def _ticket_response(ticket_id, user, status: int = 200):
    return jsonify(ticket_json(ticket_queries.ticket_page(ticket_id, user))), status


@bp.post("/threads/<int:thread_id>/ticket")
def convert_thread(thread_id):
    """Escalate a thread to a ticket for its asker (staff); 409 if it has one."""
    user = require_user()
    data = json_body()
    ticket = escalation.convert_thread(
        user, thread_id, priority=data.get("priority"), category=data.get("category"),
        assignee=data.get("assignee"),
    )
    return _ticket_response(ticket.id, user, 201)


@bp.post("/tickets")
def create_ticket():
    """Contact support: open a ticket with a subject, a description and a category."""
    user = require_user()
    data = json_body()
    ticket = tickets.open_ticket(
        user, data.get("subject"), data.get("body"), data.get("category"), via="api"
    )
    return _ticket_response(ticket.id, user, 201)


@bp.get("/tickets")
def list_tickets():
    """Staff: every ticket, filtered by status, assignee and category; others: their own."""
    user = require_user()
    page, per_page = pagination()
    filters = ticket_queries.TicketFilters(
        status=query_text("status", 20) or "all",
        assignee=query_text("assignee", 30),
        category=query_text("category", 30),
        sort="updated",
    )
    result = ticket_queries.visible_tickets(user, filters, page, per_page)
    return jsonify(page_json(result, ticket_summary_json))


@bp.get("/tickets/<int:ticket_id>")
def get_ticket(ticket_id):
    """A ticket with its conversation (internal notes for staff only)."""
    user = require_user()
    return _ticket_response(ticket_id, user)


@bp.post("/tickets/<int:ticket_id>/messages")
def create_message(ticket_id):
    """Reply to a ticket; staff may send `internal: true` for a note."""
    user = require_user()
    data = json_body()
    message = tickets.reply(
        user, ticket_id, data.get("body"), internal=data.get("internal", False), via="api"
    )
    return jsonify(ticket_message_json(message)), 201


@bp.patch("/tickets/<int:ticket_id>")
def update_ticket(ticket_id):
    """Change status, priority, category or assignee (staff); absent fields stay as they are."""
    user = require_user()
    data = json_body()
    tickets.update_ticket(user, ticket_id, **{k: data[k] for k in _CHANGEABLE if k in data})
    return _ticket_response(ticket_id, user)
