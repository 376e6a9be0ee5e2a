"""The banners on every page: a member's new warnings (once) and their suspension.

New warnings are read before the view runs and marked seen only after a page
that showed them was sent, so a redirect or an error page does not use them up.
"""
from flask import g, request

from forum.web import acting_user

from ..services import warnings
from . import bp


@bp.before_app_request
def _load_warnings():
    g.member_warnings = []
    if request.method != "GET" or request.endpoint in (None, "static") or (
            request.path.startswith("/api/")):
        return
    user = acting_user()
    if user is not None:
        g.member_warnings = warnings.unseen_warnings(user)


@bp.after_app_request
def _mark_warnings_seen(response):
    shown = g.get("member_warnings")
    if shown and response.status_code == 200 and response.mimetype == "text/html":
        warnings.mark_seen(acting_user(), [warning.id for warning in shown])
    return response


@bp.app_context_processor
def _banners():
    return {"member_warnings": g.get("member_warnings", [])}
