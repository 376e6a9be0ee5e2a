"""Reading the mail the app wrote to <instance>/mail/ (no SMTP server in tests)."""
import email
import email.policy
from pathlib import Path


def sent_mails(app) -> list:
    """The messages written to <instance>/mail/, oldest first."""
    folder = Path(app.config["INSTANCE_DIR"]) / "mail"
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
    ]


def text_part(message) -> str:
    """The plain-text part of a message."""
    return message.get_body(preferencelist=("plain",)).get_content()
