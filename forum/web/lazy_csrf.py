"""CSRF tokens for pages shared by anonymous visitors, handed out when a form is sent.

A shared page (forum/page_cache.py) must not create a session, so its forms
carry an empty token. The page script fetches one from `/csrf-token` (which
starts the session) just before a form is sent or a script posts. Without
JavaScript the form arrives with no token: the action is never run then;
the visitor is asked to confirm on a page with a real token (forms anonymous
visitors may send), or is sent to sign in (everything else needs it anyway).
"""
from contextlib import contextmanager

from flask import Blueprint, g, jsonify, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf
from markupsafe import Markup

from ..page_cache import is_anonymous_page
from .helpers import login_redirect, wants_json

bp = Blueprint("lazy_csrf", __name__)

MISSING = "The CSRF token is missing."
# Forms an anonymous visitor may send from a shared page.
ANONYMOUS_FORMS = frozenset({"kb.feedback"})


@bp.route("/csrf-token")
def token():
    """This browser's CSRF token, as JSON {token}."""
    response = jsonify(token=generate_csrf())
    response.headers["Cache-Control"] = "no-store"
    return response


# What forms in cached fragments carry (forum/web/fragments.py) until a use fills it in.
PLACEHOLDER = "csrf-token-placeholder"


def form_csrf_token() -> str:
    """The token for a form: empty on shared pages, where the script fetches it on sending."""
    if g.get("csrf_placeholder"):
        return PLACEHOLDER
    token = g.get("form_csrf_token")  # pages hold dozens of forms: decide once
    if token is None:
        token = g.form_csrf_token = "" if is_anonymous_page() else generate_csrf()
    return token


def with_token(html: str) -> Markup:
    """Cached HTML with this use's token in the forms that carry PLACEHOLDER."""
    return Markup(html.replace(PLACEHOLDER, form_csrf_token()))


@contextmanager
def placeholder_tokens():
    """Forms rendered inside carry PLACEHOLDER instead of a token (nests: a cached
    fragment inside a cached page body leaves the body's forms on placeholders)."""
    outer = g.get("csrf_placeholder", False)
    g.csrf_placeholder = True
    try:
        yield
    finally:
        g.csrf_placeholder = outer


def missing_token_response(error: CSRFError):
    """The answer to an anonymous form sent without JavaScript from a shared page, else None."""
    if (error.description != MISSING or current_user.is_authenticated or wants_json()
            or request.blueprint == "auth"):
        return None
    if request.endpoint not in ANONYMOUS_FORMS:
        return login_redirect()
    fields = [(name, value) for name, value in request.form.items(multi=True)
              if name != "csrf_token"]
    page = render_template("errors/confirm.html", action=request.full_path.rstrip("?"),
                           fields=fields)
    return page, 400
