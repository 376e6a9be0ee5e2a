"""Tickets to the JSON shapes of API.md (Tickets); described in openapi_tickets.py.

Only what the services loaded is read: a requester's ticket page never
holds internal notes, so no serializer here can leak one.
"""
from flask import url_for

from ..models import Ticket, TicketAttachment, TicketMessage
from ..services.ticket_queries import TicketPage
from ..timeutil import isoformat
from .serializers import author_json


def ticket_summary_json(ticket: Ticket) -> dict:
    """A ticket without its conversation, as lists show it."""
    return {
        "id": ticket.id,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "category": ticket.category,
        "requester": author_json(ticket.requester),
        "assignee": author_json(ticket.assignee) if ticket.assignee else None,
        "source_thread_id": ticket.source_thread_id,
        "follow_up_of_id": ticket.follow_up_of_id,
        "due_at": isoformat(ticket.due_at),
        "is_overdue": ticket.is_overdue,
        "created_at": isoformat(ticket.created_at),
        "updated_at": isoformat(ticket.updated_at),
    }


def ticket_json(page: TicketPage) -> dict:
    """A ticket with the messages the caller may see, oldest first."""
    return {
        **ticket_summary_json(page.ticket),
        "messages": [ticket_message_json(m) for m in page.messages],
    }


def ticket_message_json(message: TicketMessage) -> dict:
    """One message of a ticket's conversation."""
    return {
        "id": message.id,
        "author": author_json(message.author),
        "body": message.body,
        "body_html": message.body_html,
        "internal": message.is_internal,
        "via": message.via,
        "attachments": [attachment_json(a) for a in message.attachments],
        "created_at": isoformat(message.created_at),
    }


def attachment_json(attachment: TicketAttachment) -> dict:
    """A file that came with an emailed message; a refused one has no URL."""
    url = None
    if not attachment.is_refused:
        url = url_for("support.attachment", attachment_id=attachment.id,
                      filename=attachment.filename, _external=True)
    return {
        "id": attachment.id,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "refused": attachment.is_refused,
        "url": url,
    }
