"""Accounts over the API: sign up, tokens, profiles, the reputation ledger."""
from flask import jsonify

from ..extensions import limiter
from ..services import accounts, ledger
from . import bp
from .auth import bearer_token, require_user
from .errors import ApiError
from .parsing import json_body, pagination, usable_text
from .serializers import ledger_event_json, me_json, page_json, user_json

# Per client address; Redis-backed when ASKDESK_REDIS_URL is set (DESIGN.md).
SIGNUP_LIMIT = "5 per hour;20 per day"
TOKEN_LIMIT = "10 per minute;50 per hour"


@bp.post("/users")
@limiter.limit(SIGNUP_LIMIT)
def create_user():
    """Register an account; only username, email and password are read."""
    data = json_body()
    user = accounts.register(data.get("username"), data.get("email"), data.get("password"))
    return jsonify(user_json(user, accounts.user_stats(user))), 201


@bp.post("/auth/token")
@limiter.limit(TOKEN_LIMIT)
def create_token():
    """Exchange a username or email and password for a bearer token."""
    data = json_body()
    login, password = data.get("login"), data.get("password")
    # No stored name contains control characters, and PostgreSQL refuses NUL outright.
    if isinstance(login, str) and not usable_text(login):
        login = None
    user = accounts.authenticate(login, password)
    if user is None:
        raise ApiError(401, "invalid_credentials", accounts.LOGIN_FAILED)
    token = accounts.issue_api_token(user)
    return jsonify({"token": token, "user": me_json(user, accounts.user_stats(user))})


@bp.post("/auth/logout")
@bp.delete("/auth/token")
def revoke_token():
    """Revoke the bearer token this request was made with."""
    require_user()
    accounts.revoke_api_token(bearer_token())
    return "", 204


@bp.get("/me")
def me():
    """The signed-in user's own profile, with email and privileges."""
    user = require_user()
    return jsonify(me_json(user, accounts.user_stats(user)))


@bp.get("/users/<username>")
def user_profile(username):
    """A user's public profile."""
    user = accounts.get_user(username)
    return jsonify(user_json(user, accounts.user_stats(user)))


@bp.get("/users/<username>/reputation")
def user_reputation(username):
    """A user's reputation ledger, newest first."""
    page, per_page = pagination()
    user = accounts.get_user(username)
    return jsonify(page_json(ledger.events(user, page, per_page), ledger_event_json))
