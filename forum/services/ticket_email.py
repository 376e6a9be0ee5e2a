"""Tickets by email: a reply lands on its ticket as its sender; mail to the support address
opens a ticket; a reply to a closed ticket opens a follow-up.

The sender acts with their own permissions, exactly as on the page: the
requester and staff may write to a ticket, anyone else gets NotFound.
"""
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..errors import Conflict
from ..extensions import db
from ..models import Ticket, TicketMessage, User
from ..permissions import require
from ..timeutil import utcnow
from ..transactions import transactional
from . import attachments, ticket_mail, tickets
from . import ticket_rules as rules
from .mail_parsing import InboundMail
from .ticket_queries import get_ticket

_SUBJECT_PREFIX = re.compile(r"^\s*((re|aw|fwd?|wg|antw)\s*:\s*|\[#\d+\]\s*)+", re.IGNORECASE)


@dataclass
class Received:
    """Where an emailed message went: onto a ticket ("reply"), or a "new" or "follow_up" one."""

    outcome: str
    ticket_id: int
    message_id: int


def known_sender(address: str) -> User | None:
    """The user with this email address, if any."""
    if not address:
        return None
    return db.session.scalar(select(User).where(User.email == address.lower()))


def is_duplicate(message_id: str | None) -> bool:
    """Whether a message with this Message-ID was already added (a redelivery)."""
    if not message_id:
        return False
    query = select(TicketMessage.id).where(TicketMessage.email_message_id == message_id)
    return db.session.scalar(query.limit(1)) is not None


def _body(mail: InboundMail) -> str:
    text = mail.text[:rules.MESSAGE_MAX].strip()
    if len(text) < rules.MESSAGE_MIN and mail.attachments:
        return str(_l("(attachments only)"))
    return text


def _subject(mail: InboundMail) -> str:
    subject = _SUBJECT_PREFIX.sub("", mail.subject).strip()[:rules.SUBJECT_MAX]
    if len(subject) < rules.SUBJECT_MIN:
        subject = mail.text.strip().split("\n", 1)[0][:rules.SUBJECT_MAX].strip()
    return subject if len(subject) >= rules.SUBJECT_MIN else str(_l("Request by email"))


def receive(sender: User, mail: InboundMail, ticket_id: int | None) -> Received:
    """Add an emailed message as `sender` (to `ticket_id`, or as a new ticket), then mail."""
    written: list = []
    try:
        received = _receive(sender, mail, ticket_id, written)
    except BaseException:
        for path in written:  # the transaction rolled back: its files go too
            path.unlink(missing_ok=True)
        raise
    if received.outcome == "reply":
        ticket_mail.reply_sent(received.message_id)
    else:
        ticket_mail.ticket_created(received.ticket_id)
    return received


@transactional
def _receive(sender: User, mail: InboundMail, ticket_id: int | None, written: list) -> Received:
    body = _body(mail)
    if ticket_id is None:
        require(sender, "contact_support")
        ticket = _new_ticket(sender, mail, body, follow_up_of=None)
        outcome = "new"
    else:
        ticket = get_ticket(ticket_id, sender)
        if ticket.is_closed:
            if ticket.requester_id != sender.id:
                raise Conflict(_l("This ticket is closed and can no longer be changed."))
            ticket = _new_ticket(sender, mail, body, follow_up_of=ticket)
            outcome = "follow_up"
        else:
            tickets.record_reply(sender, ticket.id, body, via="email",
                                 email_message_id=mail.message_id)
            outcome = "reply"
    message = db.session.scalar(
        select(TicketMessage).where(TicketMessage.ticket_id == ticket.id)
        .order_by(TicketMessage.id.desc()).limit(1)
    )
    written.extend(attachments.store(message, mail.attachments))
    return Received(outcome, ticket.id, message.id)


def _new_ticket(sender: User, mail: InboundMail, body: str, follow_up_of: Ticket | None):
    body = rules.message_body(body)
    if follow_up_of is None:
        return tickets.create_ticket(
            sender, _subject(mail), body, "other", actor=sender, via="email", when=utcnow(),
            email_message_id=mail.message_id,
        )
    return tickets.create_ticket(
        sender, follow_up_of.subject, body, follow_up_of.category, actor=sender, via="email",
        when=utcnow(), priority=follow_up_of.priority, assignee=follow_up_of.assignee,
        follow_up_of=follow_up_of, email_message_id=mail.message_id,
    )
