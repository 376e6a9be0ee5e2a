"""The support pages: contact support, my tickets, the ticket page and replies."""
from forum.extensions import db
from forum.models import Ticket, TicketAttachment, TicketMessage, User
from forum.services import mail_ingest, ticket_mail, tickets
from tests.factories import make_user
from tests.mail_helpers import sent_mails, text_part
from tests.ticket_factories import make_ticket
from tests.web.helpers import csrf_token, fresh, sign_in, text

CONTACT = {"category": "billing", "subject": "Charged twice in May",
           "body": "My card was charged twice for the May invoice."}


def _latest_ticket():
    db.session.rollback()
    return db.session.scalar(db.select(Ticket).order_by(Ticket.id.desc()))


def test_contact_support_opens_a_ticket(client):
    user = make_user()
    sign_in(client, user)
    form = client.get("/support/contact?category=billing")
    assert form.status_code == 200 and '<option value="billing" selected>' in text(form)
    response = client.post("/support/contact", data=CONTACT)
    ticket = _latest_ticket()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/support/tickets/{ticket.id}"
    assert (ticket.requester_id, ticket.category) == (user.id, "billing")
    page = text(client.get(response.headers["Location"]))
    assert "Charged twice in May" in page and "charged twice for the May invoice" in page


def test_contact_support_keeps_what_was_typed(client):
    sign_in(client, make_user())
    response = client.post("/support/contact", data={**CONTACT, "subject": "Hi", "body": "A & <b>"})
    assert response.status_code == 422
    page = text(response)
    assert "Subject must be at least 5 characters." in page
    assert 'value="Hi"' in page and "A &amp; &lt;b&gt;</textarea>" in page
    response = client.post("/support/contact", data={**CONTACT, "category": "nope"})
    assert response.status_code == 422 and 'value="Charged twice in May"' in text(response)
    assert _latest_ticket() is None


def test_contact_support_needs_sign_in_and_csrf(client, make_app):
    response = client.get("/support/contact")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/support/contact", data=CONTACT).status_code == 302
    strict = make_app(WTF_CSRF_ENABLED=True).test_client()
    sign_in(strict, make_user(), csrf_token=csrf_token(strict.get("/login")))
    assert strict.post("/support/contact", data=CONTACT).status_code == 400
    assert _latest_ticket() is None


def test_my_tickets_lists_only_ones_own(client):
    user = make_user()
    mine = make_ticket(user, subject="My own request here")
    make_ticket(subject="Somebody else's request")
    sign_in(client, user)
    page = text(client.get("/support/my-tickets"))
    assert "My own request here" in page and "Somebody else" not in page
    assert f"/support/tickets/{mine.id}" in page


def test_requester_sees_conversation_without_internal_notes(client):
    staff = make_user(role="staff")
    ticket = make_ticket()
    tickets.reply(staff, ticket.id, "INTERNAL: customer is on beta firmware", internal=True)
    tickets.reply(staff, ticket.id, "Please try holding the reset button.")
    sign_in(client, ticket.requester)
    page = text(client.get(f"/support/tickets/{ticket.id}"))
    assert "Please try holding the reset button." in page
    assert "INTERNAL" not in page and "beta firmware" not in page
    assert "Internal note" not in page and "History" not in page


def test_other_users_get_404_and_anonymous_sign_in(client):
    ticket = make_ticket()
    response = client.get(f"/support/tickets/{ticket.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    sign_in(client, make_user(role="moderator"))
    assert client.get(f"/support/tickets/{ticket.id}").status_code == 404
    assert client.get("/support/tickets/999999").status_code == 404
    response = client.post(f"/support/tickets/{ticket.id}/reply", data={"body": "Let me in"})
    assert response.status_code == 404


def test_requester_reply_reopens_a_solved_ticket(client):
    staff = make_user(role="staff")
    ticket = make_ticket()
    tickets.reply(staff, ticket.id, "This should fix it.", status="solved")
    sign_in(client, ticket.requester)
    response = client.post(f"/support/tickets/{ticket.id}/reply",
                           data={"body": "It did not help.", "internal": "1", "status": "closed"})
    assert response.status_code == 403  # neither notes nor status for requesters
    response = client.post(f"/support/tickets/{ticket.id}/reply", data={"body": "It did not help."})
    assert response.status_code == 302 and "#message-" in response.headers["Location"]
    assert fresh(Ticket, ticket.id).status == "open"


def test_reply_failure_keeps_the_text(client):
    ticket = make_ticket()
    sign_in(client, ticket.requester)
    response = client.post(f"/support/tickets/{ticket.id}/reply", data={"body": "x"})
    assert response.status_code == 422
    assert "Message must be at least 2 characters." in text(response)
    assert ">x</textarea>" in text(response)


def test_closed_ticket_offers_a_new_request(client):
    ticket = make_ticket()
    tickets.update_ticket(make_user(role="staff"), ticket.id, status="closed")
    sign_in(client, ticket.requester)
    page = text(client.get(f"/support/tickets/{ticket.id}"))
    assert "This ticket is closed." in page and 'name="body"' not in page
    response = client.post(f"/support/tickets/{ticket.id}/reply", data={"body": "Hello again"})
    assert response.status_code == 403


def test_staff_ticket_page_shows_notes_properties_and_history(client):
    staff = make_user("agent", role="staff")
    ticket = make_ticket()
    tickets.reply(staff, ticket.id, "Checked the logs", internal=True)
    tickets.update_ticket(staff, ticket.id, priority="high")
    sign_in(client, staff)
    page = text(client.get(f"/support/tickets/{ticket.id}"))
    assert "Checked the logs" in page and "message-internal" in page
    assert "changed the priority from Normal to High" in page
    assert 'name="priority"' in page and ticket.requester.email in page


def test_staff_internal_note_and_reply_with_status(client):
    staff = make_user(role="staff")
    ticket = make_ticket()
    sign_in(client, staff)
    client.post(f"/support/tickets/{ticket.id}/reply", data={"body": "A note", "internal": "1"})
    client.post(f"/support/tickets/{ticket.id}/reply",
                data={"body": "Fixed in 2.5", "internal": "0", "status": "solved"})
    assert fresh(Ticket, ticket.id).status == "solved"
    messages = db.session.scalars(db.select(TicketMessage).where(
        TicketMessage.ticket_id == ticket.id).order_by(TicketMessage.id))
    assert [(m.body, m.is_internal) for m in messages][1:] == [
        ("A note", True), ("Fixed in 2.5", False)]


def test_ticket_mail_speaks_the_recipients_language(app):
    user = make_user()
    db.session.get(User, user.id).locale = "de"
    db.session.commit()
    make_ticket(user)
    (message,) = sent_mails(app)
    assert "Eingegangen:" in message["Subject"]
    assert text_part(message).startswith(
        "##- Bitte schreiben Sie Ihre Antwort über dieser Zeile -##")
    assert "Hallo" in text_part(message)


def _emailed_ticket_with_files(app):
    from tests.services.test_mail_ingest import _mail

    app.config["TICKET_ATTACHMENT_MAX_BYTES"] = 1000
    ticket = make_ticket()
    files = [("log <i>.html", "text/html", b"<script>alert(1)</script>"),
             ("shot.png", "image/png", b"\x89PNG0000"), ("big.zip", "application/zip", b"z" * 2000)]
    raw = _mail(ticket.requester.email, ticket_mail.reply_address(ticket.id), "Files.", files=files)
    assert mail_ingest.ingest(raw).outcome == "reply"
    rows = db.session.scalars(db.select(TicketAttachment).order_by(TicketAttachment.id)).all()
    return ticket, rows


def test_attachments_listed_and_downloadable_by_requester_and_staff(app, client):
    ticket, (html, png, big) = _emailed_ticket_with_files(app)
    sign_in(client, ticket.requester)
    page = text(client.get(f"/support/tickets/{ticket.id}"))
    assert "log &lt;i&gt;.html" in page and "<i>" not in page
    assert "big.zip — not accepted: larger than" in page
    response = client.get(f"/support/attachments/{html.id}/x")
    assert response.status_code == 200 and response.mimetype == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response = client.get(f"/support/attachments/{png.id}/shot.png")
    assert response.mimetype == "image/png" and response.data == b"\x89PNG0000"
    assert client.get(f"/support/attachments/{big.id}/big.zip").status_code == 404
    sign_in(client, make_user(role="staff"))
    assert client.get(f"/support/attachments/{png.id}/shot.png").status_code == 200
    sign_in(client, make_user())
    assert client.get(f"/support/attachments/{png.id}/shot.png").status_code == 404
    client.post("/logout")
    assert client.get(f"/support/attachments/{png.id}/shot.png").status_code == 302


def test_attachment_of_an_internal_note_is_staff_only(app, client):
    ticket, (_html, png, _big) = _emailed_ticket_with_files(app)
    db.session.get(TicketMessage, png.message_id).is_internal = True
    db.session.commit()
    sign_in(client, ticket.requester)
    assert client.get(f"/support/attachments/{png.id}/shot.png").status_code == 404
    assert "shot.png" not in text(client.get(f"/support/tickets/{ticket.id}"))
    sign_in(client, make_user(role="staff"))
    assert client.get(f"/support/attachments/{png.id}/shot.png").status_code == 200


def test_support_pages_speak_german(client):
    staff = make_user(role="staff")
    ticket = make_ticket(category="order_shipping")
    tickets.update_ticket(staff, ticket.id, priority="urgent")
    german = {"Accept-Language": "de-DE,de;q=0.9"}
    sign_in(client, ticket.requester)
    page = text(client.get("/support/my-tickets", headers=german))
    assert "Meine Tickets" in page and "Neu" in page and "Bestellung &amp; Versand" in page
    sign_in(client, staff)
    page = text(client.get(f"/support/tickets/{ticket.id}", headers=german))
    assert "hat die Priorität von Normal auf Dringend geändert" in page
    assert "Interne Notiz (nur Support-Team)" in page
