"""Ticket email going out: who is told what, the signed reply address, notes never mailed."""
from forum import mail, tasks
from forum.extensions import db
from forum.models import Ticket
from forum.services import escalation, ticket_mail, tickets
from tests.factories import make_thread, make_user
from tests.mail_helpers import sent_mails, text_part
from tests.ticket_factories import make_ticket


def test_reply_address_is_signed_and_checked(app):
    app.config["SUPPORT_ADDRESS"] = "help@support.example.com"
    address = ticket_mail.reply_address(42)
    assert address.startswith("help+42.") and address.endswith("@support.example.com")
    assert ticket_mail.ticket_for_address(address) == (42, True)
    assert ticket_mail.ticket_for_address(address.upper()) == (42, True)
    signature = address.split(".")[1].split("@")[0]
    assert ticket_mail.ticket_for_address(f"help+43.{signature}@support.example.com") == (43, False)
    assert ticket_mail.ticket_for_address("help+42.0000@support.example.com") == (42, False)
    assert ticket_mail.ticket_for_address("help@support.example.com") == (None, False)
    assert ticket_mail.ticket_for_address(address.replace("example.com", "evil.com"))[0] is None
    assert ticket_mail.is_support_address("Help@Support.Example.com")


def test_new_ticket_mails_the_requester_with_a_reply_address(app):
    ticket = make_ticket(subject="Router will not start")
    (message,) = sent_mails(app)
    assert message["To"] == ticket.requester.email
    assert message["Reply-To"] == ticket_mail.reply_address(ticket.id)
    assert message["Subject"] == f"[#{ticket.id}] Received: Router will not start"
    body = text_part(message)
    assert f"request #{ticket.id}" in body
    assert f"http://127.0.0.1:5000/support/tickets/{ticket.id}" in body
    assert body.startswith("##- Please type your reply above this line -##")


def test_escalation_mails_the_asker(app):
    thread = make_thread()
    escalation.convert_thread(make_user(role="staff"), thread.id)
    (message,) = sent_mails(app)
    assert message["To"] == thread.author.email
    assert "taken over your question from the community" in text_part(message)


def test_public_replies_mail_the_other_side_and_notes_nobody(app):
    staff = make_user("agent", role="staff")
    ticket = make_ticket()
    tickets.reply(ticket.requester, ticket.id, "Unassigned, nobody hears of this one.")
    tickets.update_ticket(staff, ticket.id, assignee="agent")
    tickets.reply(staff, ticket.id, "SECRET-NOTE the customer is on beta firmware", internal=True)
    tickets.reply(staff, ticket.id, "Please hold the reset button for ten seconds.")
    tickets.reply(ticket.requester, ticket.id, "Done, still blinking.")
    mails = sent_mails(app)
    assert [m["To"] for m in mails] == [ticket.requester.email, ticket.requester.email,
                                        staff.email]
    assert "Please hold the reset button for ten seconds." in text_part(mails[1])
    assert "agent from our support team wrote" in text_part(mails[1])
    assert "Done, still blinking." in text_part(mails[2])
    assert mails[2]["Reply-To"] == ticket_mail.reply_address(ticket.id)
    for message in mails:
        assert "SECRET-NOTE" not in message.as_string()


def test_solving_mails_once(app):
    staff = make_user(role="staff")
    by_reply, by_update, by_note = make_ticket(), make_ticket(), make_ticket()
    tickets.reply(staff, by_reply.id, "Fixed in firmware 2.5.", status="solved")
    tickets.update_ticket(staff, by_update.id, status="solved")
    tickets.reply(staff, by_note.id, "INTERNAL-ONLY closing remark", internal=True,
                  status="solved")
    tickets.update_ticket(staff, by_update.id, priority="low")  # no mail for this
    mails = sent_mails(app)[3:]
    assert [m["Subject"].split("]")[0] for m in mails] == [
        f"[#{by_reply.id}", f"[#{by_update.id}", f"[#{by_note.id}"]
    assert "We marked your request as solved." in text_part(mails[0])
    assert "Fixed in firmware 2.5." in text_part(mails[0])
    assert "Solved:" in mails[1]["Subject"] and "closes in 7 days" in text_part(mails[1])
    assert "INTERNAL-ONLY" not in mails[2].as_string()


def test_mail_server_failure_keeps_the_ticket_and_the_mail_is_retried(app, monkeypatch,
                                                                      retry_tasks):
    def broken(_message):
        raise ConnectionRefusedError("smtp down")

    with monkeypatch.context() as outage:
        outage.setattr(mail, "_write_eml", broken)
        ticket = make_ticket()
    assert db.session.get(Ticket, ticket.id) is not None
    assert sent_mails(app) == [] and tasks.counts("mail") == {"waiting": 1, "dead": 0}
    assert retry_tasks() == 1
    assert [m["Subject"].split("]")[0] for m in sent_mails(app)] == [f"[#{ticket.id}"]
