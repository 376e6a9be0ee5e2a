"""Ticket email going out: the requester hears of new tickets, staff replies and solutions;
the assignee hears of requester replies. Internal notes are never mailed.

Every message carries a plain-text part and a Reply-To address that names
its ticket with a signature, support+<ticket>.<hmac>@<domain>, so a reply
by email lands on the right ticket (see mail_ingest) and a guessed or
altered address does not. Mail goes out as a task once the change is
committed; a mail server that is down delays it (it is retried) and never
undoes the change.
"""
import hashlib
import hmac
import re

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from .. import mail
from ..extensions import db
from ..links import absolute_url
from ..models import Ticket, TicketMessage, User


SIGNATURE_LENGTH = 16
REPLY_ABOVE_LINE = _l("##- Please type your reply above this line -##")


def _signature(ticket_id: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"askdesk-ticket-reply:{ticket_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:SIGNATURE_LENGTH]


def reply_address(ticket_id: int) -> str:
    """support+<ticket>.<signature>@<domain>, from ASKDESK_SUPPORT_ADDRESS."""
    local, _, domain = current_app.config["SUPPORT_ADDRESS"].partition("@")
    return f"{local}+{ticket_id}.{_signature(ticket_id)}@{domain}"


def ticket_for_address(address: str) -> tuple[int | None, bool]:
    """(ticket id, signature valid) for a reply address; (None, False) if it names no ticket."""
    local, _, domain = current_app.config["SUPPORT_ADDRESS"].lower().partition("@")
    pattern = rf"{re.escape(local)}\+(\d{{1,12}})\.([0-9a-z]+)@{re.escape(domain)}"
    match = re.fullmatch(pattern, address.strip().lower())
    if match is None:
        return None, False
    ticket_id = int(match.group(1))
    return ticket_id, hmac.compare_digest(match.group(2), _signature(ticket_id))


def is_support_address(address: str) -> bool:
    """Whether `address` is the plain support address (mail that opens a new ticket)."""
    return address.strip().lower() == current_app.config["SUPPORT_ADDRESS"].lower()


def _send(recipient: User, ticket: Ticket, template: str, subject, **context) -> None:
    """Render in the recipient's language and send (a task: retried if the server fails)."""
    locale = recipient.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        text = mail.render_text(
            template, ticket=ticket, recipient=recipient, reply_above=REPLY_ABOVE_LINE,
            url=absolute_url("support.ticket", ticket_id=ticket.id), **context,
        )
        subject = f"[#{ticket.id}] {subject} {ticket.subject}"
    mail.send(to=recipient.email, subject=subject, text=text, reply_to=reply_address(ticket.id))


def ticket_created(ticket_id: int) -> None:
    """Tell the requester their request is received."""
    ticket = db.session.get(Ticket, ticket_id)
    _send(ticket.requester, ticket, "ticket_created", _l("Received:"))


def reply_sent(message_id: int) -> None:
    """Mail a public message to the other side: a staff reply to the requester, a requester's
    reply to the assignee."""
    message = db.session.get(TicketMessage, message_id)
    if message is None or message.is_internal:
        return  # internal notes never leave the desk
    ticket = message.ticket
    if message.author_id != ticket.requester_id:
        _send(ticket.requester, ticket, "ticket_reply", _l("New reply:"), message=message)
    elif ticket.assignee is not None and ticket.assignee_id != message.author_id:
        _send(ticket.assignee, ticket, "ticket_requester_reply", _l("Requester replied:"),
              message=message)


def ticket_solved(ticket_id: int) -> None:
    """Tell the requester their ticket is solved (when no reply said so already)."""
    ticket = db.session.get(Ticket, ticket_id)
    _send(ticket.requester, ticket, "ticket_solved", _l("Solved:"))
