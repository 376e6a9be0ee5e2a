"""The mail module: .eml files by default, SMTP when ASKDESK_SMTP_URL is set."""
from email import message_from_bytes, policy

from forum import mail


def test_send_writes_eml_with_plain_text_part(app, tmp_path):
    mail.send(to="anna@example.com", subject="Grüße", text="Hallo Anna,\nschön.")
    files = list((tmp_path / "instance" / "mail").glob("*.eml"))
    assert len(files) == 1
    message = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message["To"] == "anna@example.com"
    assert message["Subject"] == "Grüße"
    assert message.get_body(("plain",)).get_content().startswith("Hallo Anna,")


class FakeSMTP:
    sent: list = []

    def __init__(self, host, port):
        self.host, self.port, self.logged_in = host, port, None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def has_extn(self, name):
        return name == "starttls"

    def starttls(self):
        self.tls = True

    def login(self, user, password):
        self.logged_in = (user, password)

    def send_message(self, message):
        FakeSMTP.sent.append((self.host, self.port, self.logged_in, message))


def test_send_uses_smtp_when_configured(app, monkeypatch, tmp_path):
    FakeSMTP.sent = []
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    app.config["SMTP_URL"] = "smtp://mailer:s%40cret@mail.example.com:587"
    mail.send(to="ben@example.com", subject="Reset", text="Link inside.")
    host, port, login, message = FakeSMTP.sent[0]
    assert (host, port, login) == ("mail.example.com", 587, ("mailer", "s@cret"))
    assert message["To"] == "ben@example.com"
    assert not (tmp_path / "instance" / "mail").exists()
