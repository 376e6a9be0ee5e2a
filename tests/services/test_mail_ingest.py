"""Inbound support email: replies land on their ticket, nothing is ever dropped silently."""
import json
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Ticket, TicketAttachment, TicketMessage
from forum.services import mail_ingest, ticket_mail, ticket_queries, tickets
from tests.factories import make_user
from tests.mail_helpers import sent_mails, text_part
from tests.ticket_factories import make_ticket


def _mail(sender, to, body="Thanks, that fixed it.", *, subject="Re: your request",
          message_id=None, html=None, files=(), headers=None) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    if html and body is None:
        message.set_content(html, subtype="html")
    else:
        message.set_content(body)
        if html:
            message.add_alternative(html, subtype="html")
    for filename, content_type, data in files:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(message)


def _reply_to(ticket) -> str:
    return ticket_mail.reply_address(ticket.id)


def _messages(ticket_id):
    db.session.expire_all()
    return list(db.session.scalars(select(TicketMessage).where(
        TicketMessage.ticket_id == ticket_id).order_by(TicketMessage.id)))


def _rejected(app) -> list[dict]:
    folder = Path(app.config["INSTANCE_DIR"]) / "mail" / "rejected"
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def test_requester_reply_lands_on_the_ticket_and_reopens_it(app):
    staff = make_user("agent", role="staff")
    ticket = make_ticket()
    tickets.update_ticket(staff, ticket.id, assignee="agent")
    tickets.reply(staff, ticket.id, "Hold the reset button.", status="solved")
    raw = _mail(f"Somebody <{ticket.requester.email.upper()}>", _reply_to(ticket),
                "It still blinks red.\n\nOn Mon, Jan 5 Support wrote:\n> Hold the reset button.",
                message_id="<r1@example.com>")
    result = mail_ingest.ingest(raw)
    assert (result.outcome, result.ticket_id) == ("reply", ticket.id)
    last = _messages(ticket.id)[-1]
    assert (last.author_id, last.body, last.via) == (ticket.requester_id, "It still blinks red.",
                                                     "email")
    assert last.email_message_id == "<r1@example.com>"
    assert db.session.get(Ticket, ticket.id).status == "open"
    assert sent_mails(app)[-1]["To"] == staff.email  # the assignee hears of it


def test_staff_reply_by_email_is_a_public_reply(app):
    staff = make_user(role="staff")
    ticket = make_ticket()
    result = mail_ingest.ingest(_mail(staff.email, _reply_to(ticket), "Try firmware 2.5."))
    assert result.outcome == "reply"
    assert not _messages(ticket.id)[-1].is_internal
    assert db.session.get(Ticket, ticket.id).status == "open"
    last = sent_mails(app)[-1]
    assert last["To"] == ticket.requester.email and "Try firmware 2.5." in text_part(last)


def test_html_only_mail_is_stored_as_sanitised_text(app):
    ticket = make_ticket()
    html = ("<p>It works <b>now</b> &amp; thanks!</p><script>alert(1)</script>"
            "<img src=x onerror=alert(2)><a href='javascript:alert(3)'>x</a>")
    assert mail_ingest.ingest(_mail(ticket.requester.email, _reply_to(ticket), None,
                                    html=html)).outcome == "reply"
    last = _messages(ticket.id)[-1]
    assert last.body.startswith("It works now & thanks!")
    assert "<script" not in last.body_html and "onerror" not in last.body_html
    assert "javascript:" not in last.body_html
    assert last.body_html.startswith("<p>It works now &amp; thanks!")


def test_mail_to_the_support_address_opens_a_ticket(app):
    user = make_user()
    result = mail_ingest.ingest(_mail(user.email, "Support <support@askdesk.local>",
                                      "My P2 plug does not switch any more.",
                                      subject="Fwd: Re: P2 plug broken"))
    ticket = db.session.get(Ticket, result.ticket_id)
    assert result.outcome == "new" and ticket.requester_id == user.id
    assert ticket.subject == "P2 plug broken" and ticket.category == "other"
    assert _messages(ticket.id)[0].via == "email"
    assert sent_mails(app)[-1]["Subject"].startswith(f"[#{ticket.id}] Received:")


def test_closed_ticket_gets_a_follow_up(app):
    staff = make_user("agent", role="staff")
    ticket = make_ticket(category="billing")
    tickets.update_ticket(staff, ticket.id, assignee="agent", priority="high", status="closed")
    result = mail_ingest.ingest(_mail(ticket.requester.email, _reply_to(ticket),
                                      "The charge came back again this month."))
    follow_up = db.session.get(Ticket, result.ticket_id)
    assert result.outcome == "follow_up" and follow_up.id != ticket.id
    assert follow_up.follow_up_of_id == ticket.id and follow_up.status == "new"
    assert (follow_up.category, follow_up.priority, follow_up.assignee_id) == (
        "billing", "high", staff.id)
    assert len(_messages(ticket.id)) == 1  # the closed ticket stays as it was
    staff_mail = mail_ingest.ingest(_mail(staff.email, _reply_to(ticket), "Staff on closed."))
    assert (staff_mail.outcome, staff_mail.reason) == ("rejected", "conflict")


@pytest.mark.parametrize("case", ["unknown_sender", "forged_token", "other_ticket_token",
                                  "outsider", "automatic", "empty", "own_mail"])
def test_undeliverable_mail_is_kept_with_its_reason(app, case):
    ticket = make_ticket()
    other = make_ticket()
    good = _reply_to(ticket)
    forged = good.replace(good.split(".")[0].split("+")[1], str(other.id))
    sender, to, extra = ticket.requester.email, good, {}
    if case == "unknown_sender":
        sender = "stranger@elsewhere.example"
    elif case == "forged_token":
        to = good[:-20] + "0" * 4 + good[-16:]
    elif case == "other_ticket_token":
        to = forged
    elif case == "outsider":
        sender = make_user().email
    elif case == "automatic":
        extra = {"Auto-Submitted": "auto-replied"}
    elif case == "own_mail":
        sender = "support@askdesk.local"
    body = "   \n-- \nsignature only" if case == "empty" else "Please add this to my ticket."
    result = mail_ingest.ingest(_mail(sender, to, body, headers=extra))
    expected = {"unknown_sender": "unknown_sender", "forged_token": "bad_token",
                "other_ticket_token": "bad_token", "outsider": "not_allowed",
                "automatic": "automatic", "empty": "empty", "own_mail": "automatic"}[case]
    assert (result.outcome, result.reason) == ("rejected", expected)
    assert result.kept_as.read_bytes().startswith(b"From:")
    (note,) = _rejected(app)
    assert note["reason"] == expected and note["to"]
    assert len(_messages(ticket.id)) == len(_messages(other.id)) == 1


def test_unreadable_and_huge_mail_is_kept(app, monkeypatch):
    monkeypatch.setattr(mail_ingest, "MAX_MESSAGE_BYTES", 100)
    assert mail_ingest.ingest(b"x" * 101).reason == "too_large"
    monkeypatch.setattr(mail_ingest.mail_parsing, "parse", lambda *_a: 1 / 0)
    assert mail_ingest.ingest(b"From: a@b.c\n\nhi").reason == "unreadable"
    assert sorted(n["reason"] for n in _rejected(app)) == ["too_large", "unreadable"]


def test_redelivered_message_is_added_once(app):
    ticket = make_ticket()
    raw = _mail(ticket.requester.email, _reply_to(ticket), message_id="<same@example.com>")
    assert mail_ingest.ingest(raw).outcome == "reply"
    assert mail_ingest.ingest(raw).outcome == "duplicate"
    assert len(_messages(ticket.id)) == 2


def test_attachments_stored_under_safe_names_and_large_ones_refused(app):
    app.config["TICKET_ATTACHMENT_MAX_BYTES"] = 1000
    ticket = make_ticket()
    files = [("../../../etc/passwd", "text/plain", b"root:x:0:0"),
             ("C:\\Users\\ben\\screen shot.png", "image/png", b"\x89PNG" + b"0" * 10),
             ("huge.zip", "application/zip", b"z" * 1001)]
    raw = _mail(ticket.requester.email, _reply_to(ticket), "Logs attached.", files=files)
    assert mail_ingest.ingest(raw).outcome == "reply"
    rows = list(db.session.scalars(select(TicketAttachment).order_by(TicketAttachment.id)))
    assert [(a.filename, a.size, a.is_refused) for a in rows] == [
        ("passwd", 10, False), ("screen shot.png", 14, False), ("huge.zip", 1001, True)]
    uploads = Path(app.config["INSTANCE_DIR"]) / "uploads" / "tickets"
    stored = sorted(p.name for p in uploads.iterdir())
    assert stored == sorted(a.stored_name for a in rows if a.stored_name)
    assert all(len(name) == 32 and name.isalnum() for name in stored)
    assert (uploads / rows[0].stored_name).read_bytes() == b"root:x:0:0"
    page = ticket_queries.ticket_page(ticket.id, ticket.requester)
    assert [a.filename for a in page.messages[-1].attachments] == [
        "passwd", "screen shot.png", "huge.zip"]


def test_attachment_only_mail_gets_a_placeholder_text(app):
    ticket = make_ticket()
    raw = _mail(ticket.requester.email, _reply_to(ticket), "",
                files=[("photo.jpg", "image/jpeg", b"\xff\xd8\xff")])
    assert mail_ingest.ingest(raw).outcome == "reply"
    assert _messages(ticket.id)[-1].body == "(attachments only)"


# --- the command ------------------------------------------------------------------------------

def test_cli_ingests_a_file_a_folder_stdin_and_a_maildir(app, runner, tmp_path):
    ticket = make_ticket()
    to = _reply_to(ticket)
    single = tmp_path / "one.eml"
    single.write_bytes(_mail(ticket.requester.email, to, "From a file."))
    result = runner.invoke(args=["askdesk", "mail", "ingest", str(single)])
    assert result.exit_code == 0 and f"one.eml: reply ticket #{ticket.id}" in result.output
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a.eml").write_bytes(_mail(ticket.requester.email, to, "From a folder."))
    (folder / "b.eml").write_bytes(_mail("nobody@nowhere.example", to, "Who am I?"))
    result = runner.invoke(args=["askdesk", "mail", "ingest", str(folder)])
    assert "b.eml: rejected unknown_sender" in result.output
    assert "1 rejected, 1 reply" in result.output
    result = runner.invoke(args=["askdesk", "mail", "ingest"],
                           input=_mail(ticket.requester.email, to, "From a pipe."))
    assert result.exit_code == 0 and "stdin: reply" in result.output
    maildir = tmp_path / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "new" / "1700000000.M1P1.host").write_bytes(
        _mail(ticket.requester.email, to, "From a Maildir."))
    runner.invoke(args=["askdesk", "mail", "ingest", str(maildir)])
    assert [p.name for p in (maildir / "cur").iterdir()] == ["1700000000.M1P1.host:2,S"]
    again = runner.invoke(args=["askdesk", "mail", "ingest", str(maildir)])
    assert "No messages." in again.output
    bodies = [m.body for m in _messages(ticket.id)][1:]
    assert bodies == ["From a file.", "From a folder.", "From a pipe.", "From a Maildir."]


def test_cli_autoclose(app, runner):
    staff = make_user(role="staff")
    ticket = make_ticket()
    tickets.update_ticket(staff, ticket.id, status="solved")
    assert "Closed 0 tickets." in runner.invoke(args=["askdesk", "tickets", "autoclose"]).output
    app.config["TICKET_AUTOCLOSE_DAYS"] = 0
    assert "Closed 1 ticket." in runner.invoke(args=["askdesk", "tickets", "autoclose"]).output
    assert db.session.get(Ticket, ticket.id).status == "closed"


def test_reply_to_our_own_mail_round_trips(app):
    staff = make_user(role="staff")
    ticket = make_ticket()
    tickets.reply(staff, ticket.id, "Which firmware version do you run?")
    ours = sent_mails(app)[-1]
    quoted = "\n".join(f"> {line}" for line in text_part(ours).splitlines())
    body = (f"Version 2.4.1.\n\n________________________________\nFrom: {ours['From']}\n"
            f"Sent: Monday, 5 January 2026 10:00\nSubject: {ours['Subject']}\n\n{quoted}")
    raw = _mail(ticket.requester.email, ours["Reply-To"], body, subject=f"RE: {ours['Subject']}")
    assert mail_ingest.ingest(raw).outcome == "reply"
    assert _messages(ticket.id)[-1].body == "Version 2.4.1."
