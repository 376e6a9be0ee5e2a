"""The audit log page: every moderator, staff, admin and automatic action, filtered."""
from flask import render_template, request

from forum.errors import ValidationError
from forum.services.pagination import Page
from forum.web import acting_user
from forum.web.helpers import page_number

from ..services.audit_log import FILTER_NAMES, TARGET_TYPES, audit_log
from . import bp


@bp.route("/moderation/log")
def log():
    """Audit rows, newest first; filters by action, actor and target (moderators)."""
    filters = {name: request.args[name] for name in FILTER_NAMES if request.args.get(name)}
    error, status = None, 200
    try:
        entries = audit_log(acting_user(), filters, page_number())
    except ValidationError as failed:
        entries, error, status = Page(items=[], page=1, per_page=50, total=0), failed, 422
    return render_template("moderation/log.html", entries=entries, filters=filters,
                           target_types=TARGET_TYPES, error=error), status
