"""Files that come with emailed ticket messages, kept under <instance>/uploads/tickets/.

Each file is stored under a generated name; the sender's filename is only
shown (cleaned), never used as a path. Files over the size limit are not
stored but listed as refused, so the message says what did not arrive.
"""
import re
import uuid
from pathlib import Path, PurePosixPath, PureWindowsPath

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from ..errors import NotFound
from ..extensions import db
from ..models import TicketAttachment, TicketMessage, User
from ..permissions import can
from .ticket_queries import load_for

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9.+-]{0,40}/[a-z0-9][a-z0-9.+-]{0,57}")


def folder() -> Path:
    """Where attachment files live."""
    path = Path(current_app.config["INSTANCE_DIR"]) / "uploads" / "tickets"
    path.mkdir(parents=True, exist_ok=True)
    return path


def shown_filename(name: str) -> str:
    """The sender's filename fit for display: no directories, control characters or excess."""
    name = PureWindowsPath(PurePosixPath(name or "").name).name  # drop / and \\ paths
    name = " ".join(_CONTROL.sub("", name).split()).strip(". ")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        name = name.encode("utf-8", "replace").decode("utf-8")
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[:110]}.{ext[:8]}" if dot and len(ext) <= 8 else name[:120]
    return name or "attachment"


def _content_type(value: str) -> str:
    value = (value or "").lower()
    return value if _CONTENT_TYPE.fullmatch(value) else "application/octet-stream"


def store(message: TicketMessage, files) -> list[Path]:
    """Save the files of `message` (InboundAttachment objects) and add their rows.

    Runs in the caller's transaction; returns the paths written, for the
    caller to remove if that transaction fails.
    """
    written = []
    for file in files:
        stored_name = None
        if file.data is not None:
            stored_name = uuid.uuid4().hex
            path = folder() / stored_name
            path.write_bytes(file.data)
            written.append(path)
        db.session.add(TicketAttachment(
            message_id=message.id, filename=shown_filename(file.filename),
            content_type=_content_type(file.content_type), size=file.size,
            stored_name=stored_name, created_at=message.created_at,
        ))
    return written


def get_attachment(viewer: User | None, attachment_id) -> tuple[TicketAttachment, Path]:
    """An attachment and its file, if `viewer` may see its message; NotFound otherwise."""
    missing = _l("No such file.")
    options = [joinedload(TicketAttachment.message).joinedload(TicketMessage.ticket)]
    attachment = load_for(viewer, TicketAttachment, attachment_id, options, missing)
    message = attachment.message
    visible = can(viewer, "view_ticket", message.ticket) and (
        viewer.is_staff or not message.is_internal
    )
    if not visible or attachment.is_refused:
        raise NotFound(missing)
    path = folder() / attachment.stored_name
    if not path.is_file():
        raise NotFound(missing)
    return attachment, path
