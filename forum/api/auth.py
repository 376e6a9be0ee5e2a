"""Bearer-token authentication for the API, and keeping cookies out of it.

A request names its user with `Authorization: Bearer <token>` or is
anonymous; the cookie session of the HTML pages is never read or written
under /api/v1, so a browser's login cannot act through the API (no CSRF
exposure) and API responses set no cookies.
"""
from flask import Blueprint, Flask, current_app, g, request
from flask.sessions import SecureCookieSession
from werkzeug.exceptions import RequestEntityTooLarge

from ..extensions import login_manager
from ..models import User
from ..services import accounts
from .errors import ApiError
from .parsing import reject_unusable_text

_CHALLENGE = 'Bearer realm="askdesk"'


def api_user() -> User | None:
    """The user the request's bearer token belongs to, or None when anonymous."""
    return g.get("api_user")


def require_user() -> User:
    """The request's user; 401 when the request carries no token."""
    user = api_user()
    if user is None:
        raise ApiError(
            401, "authentication_required",
            "This needs a signed-in user: send an 'Authorization: Bearer <token>' header.",
            headers={"WWW-Authenticate": _CHALLENGE},
        )
    return user


def bearer_token() -> str | None:
    """The raw token of the Authorization header; 401 if the header is not a bearer token."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _invalid_token("The Authorization header must be 'Bearer <token>'.")
    return token


def _invalid_token(message: str) -> ApiError:
    return ApiError(
        401, "invalid_token", message,
        headers={"WWW-Authenticate": f'{_CHALLENGE}, error="invalid_token"'},
    )


def _prepare_request(_endpoint, view_args) -> None:
    """Runs before any before_request hook: size limit, path values, the bearer user."""
    # Flask-Login reads this instead of the cookie session, so app-wide hooks
    # (locale, last seen) see the token's user or an anonymous one.
    g._login_user = login_manager.anonymous_user()
    g.api_user = None
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and request.content_length and request.content_length > limit:
        raise RequestEntityTooLarge()
    for value in (view_args or {}).values():
        if isinstance(value, str):
            reject_unusable_text(value, 404)
    token = bearer_token()
    if token is None:
        return
    user = accounts.user_for_api_token(token)
    if user is None:
        raise _invalid_token("The token is invalid or has been revoked.")
    g.api_user = g._login_user = user


class _CookielessApiSessions:
    """The app's session interface, except that API requests get a throwaway session."""

    def __init__(self, inner, prefix: str):
        self._inner = inner
        self._prefix = prefix

    def _is_api(self, path: str) -> bool:
        return path == self._prefix or path.startswith(self._prefix + "/")

    def open_session(self, app: Flask, req):
        if self._is_api(req.path):
            return SecureCookieSession()
        return self._inner.open_session(app, req)

    def save_session(self, app: Flask, session, response) -> None:
        if self._is_api(request.path):
            return None
        return self._inner.save_session(app, session, response)

    def __getattr__(self, name):
        return getattr(self._inner, name)


def init_blueprint(bp: Blueprint) -> None:
    """Authenticate every API request and keep the cookie session out of the API."""
    bp.url_value_preprocessor(_prepare_request)

    @bp.teardown_request
    def _forget_user(_error=None) -> None:
        # g outlives the request when an app context was already pushed (tests, CLI).
        g.pop("api_user", None)
        g.pop("_login_user", None)

    @bp.record_once
    def _install_sessions(state) -> None:
        app = state.app
        app.session_interface = _CookielessApiSessions(app.session_interface, bp.url_prefix)
