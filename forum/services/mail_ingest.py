"""`askdesk mail ingest`: take inbound email from a file, a Maildir, a folder or a pipe.

Every message ends in exactly one place: on a ticket (a reply, a new ticket,
a follow-up to a closed one), or, when it cannot go there, kept as it came
under <instance>/mail/rejected/ with a .json note of the reason, and logged.
Nothing is dropped silently: an unknown sender, a forged or wrong reply
address, an auto-reply or a message that cannot be read is kept for a human.
"""
import json
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from ..errors import DomainError, NotFound, PermissionDenied
from ..timeutil import isoformat, utcnow
from . import mail_parsing, ticket_email, ticket_mail

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 40 * 1024 * 1024


@dataclass
class IngestResult:
    """What became of one message: outcome is reply, new, follow_up, duplicate or rejected."""

    outcome: str
    ticket_id: int | None = None
    reason: str | None = None
    kept_as: Path | None = None


def ingest(raw: bytes) -> IngestResult:
    """Route one RFC 822 message to its ticket, or keep it as rejected."""
    if len(raw) > MAX_MESSAGE_BYTES:
        return _reject(raw, "too_large")
    try:
        mail = mail_parsing.parse(raw, current_app.config["TICKET_ATTACHMENT_MAX_BYTES"])
    except Exception:  # mail from anywhere can break the parser in any way
        log.exception("inbound mail could not be parsed")
        return _reject(raw, "unreadable")
    own = {current_app.config["SUPPORT_ADDRESS"].lower(), _own_sender()}
    if mail.is_automatic or mail.sender in own:
        return _reject(raw, "automatic", mail)  # answering would start a mail loop
    sender = ticket_email.known_sender(mail.sender)
    if sender is None:
        return _reject(raw, "unknown_sender", mail)
    ticket_id, reason = _target(mail.recipients)
    if reason:
        return _reject(raw, reason, mail)
    if ticket_email.is_duplicate(mail.message_id):
        log.info("inbound mail %s was already added; skipped", mail.message_id)
        return IngestResult("duplicate")
    if not mail.text and not mail.attachments:
        return _reject(raw, "empty", mail)
    try:
        received = ticket_email.receive(sender, mail, ticket_id)
    except (NotFound, PermissionDenied):
        return _reject(raw, "not_allowed", mail)
    except DomainError as error:
        return _reject(raw, error.code, mail)
    log.info("inbound mail from %s: %s on ticket %s", mail.sender, received.outcome,
             received.ticket_id)
    return IngestResult(received.outcome, received.ticket_id)


def _own_sender() -> str:
    return mail_parsing.address_of(current_app.config["MAIL_FROM"])


def _target(recipients: list[str]) -> tuple[int | None, str | None]:
    """(ticket id or None for a new ticket, or a reason to reject) from the addresses."""
    for address in recipients:
        ticket_id, valid = ticket_mail.ticket_for_address(address)
        if ticket_id is not None:
            return (ticket_id, None) if valid else (None, "bad_token")
    return None, None


def _reject(raw: bytes, reason: str, mail=None) -> IngestResult:
    """Keep the message as it came, with a note of why, and log it."""
    folder = Path(current_app.config["INSTANCE_DIR"]) / "mail" / "rejected"
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    path = folder / f"{stem}.eml"
    path.write_bytes(raw)
    note = {
        "reason": reason,
        "received_at": isoformat(utcnow()),
        "from": mail.sender if mail else None,
        "to": mail.recipients if mail else None,
        "subject": mail.subject if mail else None,
        "message_id": mail.message_id if mail else None,
    }
    (folder / f"{stem}.json").write_text(json.dumps(note, indent=2, ensure_ascii=False))
    log.warning("inbound mail rejected (%s), kept as %s", reason, path)
    return IngestResult("rejected", reason=reason, kept_as=path)


def ingest_source(source: Path) -> list[tuple[str, IngestResult]]:
    """Ingest a message file, a Maildir (new/ messages move to cur/) or a folder of files."""
    if source.is_file():
        return [(source.name, ingest(source.read_bytes()))]
    if (source / "new").is_dir() and (source / "cur").is_dir():
        return [(path.name, _ingest_maildir_message(path, source / "cur"))
                for path in sorted((source / "new").iterdir()) if path.is_file()]
    return [(path.name, ingest(path.read_bytes()))
            for path in sorted(source.iterdir())
            if path.is_file() and not path.name.startswith(".")]


def _ingest_maildir_message(path: Path, cur: Path) -> IngestResult:
    result = ingest(path.read_bytes())
    # Seen: a later run does not take it again (Maildir's "info" suffix, flag S).
    path.rename(cur / f"{path.name.split(':')[0]}:2,S")
    return result
