"""Helpers for the page tests."""
import re

from forum.extensions import db
from tests.factories import PASSWORD

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def fresh(model, ident):
    """Re-read a row in the test's session, seeing what the web app committed."""
    db.session.rollback()
    db.session.expire_all()  # also what a service returned as written (keep_loaded)
    return db.session.get(model, ident)


def csrf_token(response) -> str:
    """The CSRF token of the first form in a page."""
    match = CSRF_INPUT.search(response.get_data(as_text=True))
    assert match, "no CSRF token in the page"
    return match.group(1)


def sign_in(client, user, password=PASSWORD, **extra):
    """Sign in through the login form; returns the response (a redirect on success)."""
    data = {"login": user.username, "password": password, **extra}
    return client.post("/login", data=data)


def text(response) -> str:
    """The response body as text."""
    return response.get_data(as_text=True)
