"""Outgoing email: one module, two backends.

`send()` renders nothing and sends nothing itself: it stores a "mail" task
(forum/tasks.py) with the current write, so a slow or failing mail server
never holds up or fails a request, and a message that cannot be sent is
retried. `deliver()` is that task. By default each message is written as an
.eml file under <instance>/mail/ and logged, so a local site needs no mail
server; with ASKDESK_SMTP_URL (smtp://user:pass@host:port or smtps://...) it
is sent.
"""
import logging
import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template

from . import tasks
from .timeutil import utcnow

log = logging.getLogger(__name__)


def render_text(name: str, **context) -> str:
    """Render the plain-text mail template templates/mail/<name>.txt."""
    return render_template(f"mail/{name}.txt", **context)


def _build(to: str, subject: str, text: str, html: str | None,
           reply_to: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    if reply_to:
        message["Reply-To"] = reply_to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="askdesk.local")
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def _send_smtp(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    smtp_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    with smtp_class(parts.hostname, parts.port or (465 if parts.scheme == "smtps" else 25)) as s:
        if parts.scheme == "smtp" and s.has_extn("starttls"):
            s.starttls()
        if parts.username:
            s.login(unquote(parts.username), unquote(parts.password or ""))
        s.send_message(message)


def _write_eml(message: EmailMessage) -> Path:
    folder = Path(current_app.config["INSTANCE_DIR"]) / "mail"
    folder.mkdir(exist_ok=True)
    path = folder / f"{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
    path.write_bytes(bytes(message))
    return path


def send(*, to: str, subject: str, text: str, html: str | None = None,
         reply_to: str | None = None) -> None:
    """Send one message with a plain-text part (and an optional HTML part and Reply-To)
    once the current transaction commits."""
    tasks.enqueue("mail", {"to": to, "subject": str(subject), "text": text, "html": html,
                           "reply_to": reply_to})


def deliver(payload: dict) -> None:
    """The "mail" task: hand one message to the mail server (or the mail folder)."""
    to, subject = payload["to"], payload["subject"]
    message = _build(to, subject, payload["text"], payload["html"], payload["reply_to"])
    smtp_url = current_app.config.get("SMTP_URL")
    if smtp_url:
        _send_smtp(smtp_url, message)
        log.info("mail sent to %s: %s", to, subject)
    else:
        path = _write_eml(message)
        log.info("mail to %s written to %s: %s", to, path, subject)
