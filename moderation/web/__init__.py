"""Moderation's HTML pages: thin views over `moderation.services`."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("moderation", __name__)

FLAG_REASONS = (
    ("spam", _l("Spam"), _l("Advertising or links that do not help anyone.")),
    ("offensive", _l("Rude or abusive"), _l("A reasonable person would find it offensive.")),
    ("off_topic", _l("Off-topic"), _l("It does not belong on this board or this thread.")),
    ("duplicate", _l("Duplicate"),
     _l("The question was asked and answered before: give the link.")),
    ("other", _l("Needs moderator attention"), _l("Something else: tell the moderators what.")),
)


@bp.app_context_processor
def _moderation_helpers() -> dict:
    from ..services.queue import queue_size

    return {"flag_reasons": FLAG_REASONS, "flag_reason_label": _reason_label,
            "review_queue_size": queue_size}


def _reason_label(reason: str):
    return next((label for value, label, _help in FLAG_REASONS if value == reason), reason)


# The modules add their routes to `bp`.
from . import banners, comments, flags, log, queue, screening, thread_tools, users  # noqa: F401
