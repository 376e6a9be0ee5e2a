"""The OpenAPI description of the ticket endpoints and shapes (api/tickets.py)."""
from ..models.tickets import TICKET_CATEGORIES, TICKET_PRIORITIES, TICKET_STATUSES
from ..services.ticket_queries import STATUS_FILTERS
from ..services.ticket_rules import SETTABLE_STATUSES
from .openapi_schemas import DATE_TIME, ID, NULLABLE_DATE_TIME, page_of, ref, request_object
from .openapi_schemas import response_object as obj

STATUS = {"type": "string", "enum": list(TICKET_STATUSES)}
PRIORITY = {"type": "string", "enum": list(TICKET_PRIORITIES)}
CATEGORY = {"type": "string", "enum": list(TICKET_CATEGORIES)}
_ASSIGNEE = {"type": ["string", "null"],
             "description": "A staff member's username; null or empty for nobody."}

_SUMMARY = {
    "id": ID,
    "subject": {"type": "string"},
    "status": STATUS,
    "priority": PRIORITY,
    "category": CATEGORY,
    "requester": ref("Author"),
    "assignee": {"oneOf": [ref("Author"), {"type": "null"}]},
    "source_thread_id": {"type": ["integer", "null"],
                         "description": "The community thread it was escalated from."},
    "follow_up_of_id": {"type": ["integer", "null"],
                        "description": "The closed ticket this one follows up."},
    "due_at": {**NULLABLE_DATE_TIME,
               "description": "When a response is due (the SLA of the priority); null when "
                              "the requester is not waiting."},
    "is_overdue": {"type": "boolean",
                   "description": "due_at has passed while the ticket is new or open."},
    "created_at": DATE_TIME,
    "updated_at": DATE_TIME,
}

TICKET_SCHEMAS = {
    "TicketSummary": obj("A ticket without its conversation.", _SUMMARY),
    "Ticket": obj("A ticket with its conversation.", {
        **_SUMMARY,
        "messages": {"type": "array", "items": ref("TicketMessage"), "description": (
            "Oldest first. Internal notes appear for staff only; a requester never sees them.")},
    }),
    "TicketMessage": obj("A public reply, or (internal: true, staff only) an internal note.", {
        "id": ID,
        "author": ref("Author"),
        "body": {"type": "string",
                 "description": "Markdown source (plain text when it came by email)."},
        "body_html": {"type": "string", "description": "Sanitised HTML."},
        "internal": {"type": "boolean"},
        "via": {"type": "string", "enum": ["web", "api", "email", "thread"]},
        "attachments": {"type": "array", "items": ref("TicketAttachment")},
        "created_at": DATE_TIME,
    }),
    "TicketAttachment": obj("A file that came with an emailed message.", {
        "id": ID,
        "filename": {"type": "string"},
        "content_type": {"type": "string"},
        "size": {"type": "integer", "minimum": 0, "description": "Bytes."},
        "refused": {"type": "boolean", "description": "Larger than 10 MB: not stored."},
        "url": {"type": ["string", "null"],
                "description": "Download page (signed-in browser session); null if refused."},
    }),
    "TicketList": page_of("TicketSummary"),
    "NewTicket": request_object("Contact support.", {
        "subject": {"type": "string", "minLength": 5, "maxLength": 150},
        "body": {"type": "string", "minLength": 10, "maxLength": 30000},
        "category": CATEGORY,
    }, ["subject", "body", "category"]),
    "TicketConvert": request_object("Escalate a thread.", {
        "priority": {**PRIORITY, "default": "normal"},
        "category": {**CATEGORY, "default": "other"},
        "assignee": _ASSIGNEE,
    }, []),
    "NewTicketMessage": request_object("A reply.", {
        "body": {"type": "string", "minLength": 2, "maxLength": 30000},
        "internal": {"type": "boolean", "default": False,
                     "description": "An internal note (staff only)."},
    }, ["body"]),
    "TicketUpdate": request_object("Changes; absent fields stay as they are.", {
        "status": {"type": "string", "enum": list(SETTABLE_STATUSES)},
        "priority": PRIORITY,
        "category": CATEGORY,
        "assignee": _ASSIGNEE,
    }, []),
}


def ticket_paths(op, path_param, page_params, write_errors) -> dict:
    """The ticket paths, built with openapi.py's operation helper."""
    thread_id = path_param("thread_id", ID)
    ticket_id = path_param("ticket_id", ID)
    write = {"auth": True, "errors": write_errors}
    query = [{"name": name, "in": "query", "required": False, "schema": schema}
             for name, schema in (
                 ("status", {"type": "string", "enum": list(STATUS_FILTERS), "default": "all"}),
                 ("assignee", {"type": "string", "description": "Username, or none."}),
                 ("category", CATEGORY))]
    return {
        "/threads/{thread_id}/ticket": {"post": op(
            "convertThread", "Escalate a thread to a ticket for its asker (staff)", ok=201,
            schema="Ticket", body="TicketConvert", params=[thread_id],
            auth=True, errors=(*write_errors, "409"),
            description="409 if the thread already has a ticket.")},
        "/tickets": {
            "get": op("listTickets", "Tickets: staff see all, anyone else their own", ok=200,
                      schema="TicketList", params=[*query, *page_params], auth=True,
                      errors=("401", "422"),
                      description="The filters apply to staff; others filter by status only."),
            "post": op("createTicket", "Contact support", ok=201, schema="Ticket",
                       body="NewTicket", **write),
        },
        "/tickets/{ticket_id}": {
            "get": op("getTicket", "A ticket with its conversation (staff, requester)", ok=200,
                      schema="Ticket", params=[ticket_id], auth=True, errors=("401", "404"),
                      description="404 for anyone but staff and the requester."),
            "patch": op("updateTicket", "Change status, priority, category, assignee (staff)",
                        ok=200, schema="Ticket", body="TicketUpdate", params=[ticket_id],
                        auth=True, errors=(*write_errors, "409"),
                        description="409 once the ticket is closed."),
        },
        "/tickets/{ticket_id}/messages": {"post": op(
            "createTicketMessage", "Reply to a ticket, or add an internal note (staff)", ok=201,
            schema="TicketMessage", body="NewTicketMessage", params=[ticket_id], **write,
            description="A requester's reply reopens a pending or solved ticket; a closed "
                        "ticket takes no replies (403).")},
    }
