"""Reading an inbound email: sender, addresses, the new text of a reply, attachments.

Built on the standard library's email package (policy.default). Replies come
from every kind of mail client, so the quoted conversation and signatures
are cut by the shapes they take: Gmail's "On ... wrote:", Outlook's
"-----Original Message-----" or "From: ... Sent: ..." block, Apple Mail's
quoted header, "> " quoting, "-- " signatures, "Sent from my phone" lines
and the reply marker our own mails carry. HTML-only mail is reduced to text
by forum.rendering, so no HTML from a mail is ever stored.
"""
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses

from ..rendering import html_to_text

_RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "To", "Cc")
_REPLY_HEADER = re.compile(
    r"(On\s.{1,300}\swrote:"  # Gmail, Apple Mail, Thunderbird
    r"|Am\s.{1,300}\sschrieb\s.{0,300}:"  # the same in German
    r"|-{3,}\s*(Original Message|Ursprüngliche Nachricht|Reply message)\s*-{3,}"  # Outlook
    r"|_{20,}"  # Outlook's rule above its header block
    r"|##-.{1,120}-##)\s*$",  # the "type your reply above this line" marker of our mails
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(r"\*?(From|Von):\*?\s", re.IGNORECASE)
_HEADER_NEXT = re.compile(r"\*?(Sent|Date|Gesendet|Datum|To|An|Subject|Betreff):\*?\s",
                          re.IGNORECASE)
_SIGNATURE = re.compile(r"--\s?")
_MOBILE_FOOTER = re.compile(
    r"(Sent from my |Sent from Mail for |Get Outlook for |Von meinem |Gesendet von ).{0,60}",
    re.IGNORECASE,
)


@dataclass
class InboundAttachment:
    """A file of the message; `data` is None when it was over the size limit."""

    filename: str
    content_type: str
    size: int
    data: bytes | None


@dataclass
class InboundMail:
    """What the help desk needs from one email."""

    sender: str
    recipients: list[str]
    subject: str
    message_id: str | None
    text: str
    is_automatic: bool
    attachments: list[InboundAttachment] = field(default_factory=list)


def parse(raw: bytes, max_attachment_bytes: int) -> InboundMail:
    """Read an RFC 822 message."""
    message = message_from_bytes(raw, policy=policy.default)
    body = message.get_body(preferencelist=("plain", "html"))
    return InboundMail(
        sender=address_of(message.get("From")),
        recipients=_recipients(message),
        subject=_header(message, "Subject"),
        message_id=_header(message, "Message-ID")[:255] or None,
        text=strip_reply(_body_text(body)) if body is not None else "",
        is_automatic=_is_automatic(message),
        attachments=_attachments(message, body, max_attachment_bytes),
    )


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = str(message.get(name) or "")
    except (ValueError, IndexError, TypeError):  # a header too broken to parse
        return ""
    if "\ufffd" in value:  # raw 8-bit bytes that old clients send unencoded
        value = _raw_header(message, name) or value
    return " ".join(value.split())


def _raw_header(message: EmailMessage, name: str) -> str:
    """A header sent as raw 8-bit bytes, read as UTF-8, else as Latin-1."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            raw = value.encode("ascii", "surrogateescape")
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                return raw.decode("latin-1")
    return ""


def address_of(value) -> str:
    """The first email address in a header value ("Name <a@b>" -> "a@b"), lower-cased."""
    addresses = [addr for _name, addr in getaddresses([str(value or "")]) if "@" in addr]
    return addresses[0].strip().lower() if addresses else ""


def _recipients(message: EmailMessage) -> list[str]:
    values = [str(v) for name in _RECIPIENT_HEADERS for v in (message.get_all(name) or [])]
    return [addr.strip().lower() for _name, addr in getaddresses(values) if "@" in addr]


def _is_automatic(message: EmailMessage) -> bool:
    """Auto-replies and bulk mail: answering them would start a mail loop."""
    auto = _header(message, "Auto-Submitted").lower()
    precedence = _header(message, "Precedence").lower()
    return (auto not in ("", "no") or precedence in ("bulk", "junk", "list", "auto_reply")
            or bool(_header(message, "X-Autoreply")))


def decoded_text(part: EmailMessage) -> str:
    """A text part as str, whatever its charset claims (unknown or wrong ones included)."""
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError):
        payload = part.get_payload(decode=True) or b""
        charset = part.get_content_charset() or "utf-8"
        try:
            return payload.decode(charset, errors="replace")
        except LookupError:
            return payload.decode("utf-8", errors="replace")


def _body_text(part: EmailMessage) -> str:
    text = decoded_text(part)
    if part.get_content_type() == "text/html":
        text = html_to_text(text)
    return text


def _attachments(message: EmailMessage, body, limit: int) -> list[InboundAttachment]:
    found = []
    for part in message.walk():
        if part.is_multipart() or part is body:
            continue
        filename = part.get_filename()
        if part.get_content_disposition() != "attachment" and not filename:
            continue  # another rendering of the body (the HTML beside the text)
        data = part.get_payload(decode=True) or b""
        found.append(InboundAttachment(
            filename=filename or "attachment", content_type=part.get_content_type(),
            size=len(data), data=data if len(data) <= limit else None,
        ))
    return found


def strip_reply(text: str) -> str:
    """The new text of a reply: no quoted conversation, no signature."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = _quote_start(lines)
    if cut is not None:
        above = lines[:cut]
        if any(line.strip() and not line.lstrip().startswith(">") for line in above):
            lines = above
        else:  # written below the quote ("bottom posting"): keep what is not quoted
            lines = lines[cut + 1:]
    lines = [line for line in lines if not line.lstrip().startswith(">")]
    for n, line in enumerate(lines):
        if _SIGNATURE.fullmatch(line.rstrip("\n")):
            lines = lines[:n]
            break
    while lines and (not lines[-1].strip() or _MOBILE_FOOTER.fullmatch(lines[-1].strip())):
        lines.pop()
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in lines)).strip()


def _quote_start(lines: list[str]) -> int | None:
    """Index of the line that introduces the quoted conversation, if any."""
    for n, line in enumerate(lines):
        stripped = line.strip()
        following = lines[n + 1].strip() if n + 1 < len(lines) else ""
        if _REPLY_HEADER.fullmatch(stripped):
            return n
        # Gmail wraps a long "On ... <address> wrote:" over two lines.
        if stripped.startswith(("On ", "Am ")) and _REPLY_HEADER.fullmatch(
                f"{stripped} {following}"):
            return n
        if _HEADER_FROM.match(stripped) and any(
                _HEADER_NEXT.match(next_line.strip()) for next_line in lines[n + 1:n + 4]):
            return n
    return None

