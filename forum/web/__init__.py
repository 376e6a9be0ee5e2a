"""The HTML pages: thin blueprints that parse a request, call a service, render."""
from flask import Flask
from flask_login import current_user

from ..extensions import db, login_manager
from ..models import User


def acting_user() -> User | None:
    """The signed-in user as a real object for services, or None when anonymous."""
    return current_user._get_current_object() if current_user.is_authenticated else None


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    # The id carries the user's session salt, so a password change ends old sessions.
    user_id, _, salt = session_id.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.session_salt == salt else None


def register(app: Flask) -> None:
    """Register the page blueprints and the error pages."""
    from . import (auth, boards, desk, errors, kb, kb_staff, lazy_csrf, posts, reputation, search,
                   support, templating, threads, users)

    login_manager.login_view = "auth.login"
    for blueprint in (auth.bp, boards.bp, threads.bp, posts.bp, search.bp, users.bp, support.bp,
                      desk.bp, kb.bp, kb_staff.bp, reputation.bp, lazy_csrf.bp):
        app.register_blueprint(blueprint)
    errors.init_app(app)
    templating.init_app(app)
