"""Error pages: domain errors and HTTP errors become friendly pages (or JSON)."""
import logging

from flask import Flask, jsonify, make_response, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from ..errors import DomainError, PermissionDenied, RateLimited
from ..extensions import db
from .helpers import login_redirect, wants_json
from .lazy_csrf import missing_token_response

log = logging.getLogger(__name__)

TITLES = {
    400: _l("Bad request"),
    401: _l("Please sign in"),
    403: _l("Not allowed"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("Too much data"),
    422: _l("Could not process this"),
    429: _l("Slow down"),
    500: _l("Something went wrong"),
}
MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please sign in to continue."),
    403: _l("You are not allowed to do that."),
    404: _l("We could not find that page. It may have been moved or deleted."),
    405: _l("That action is not possible on this address."),
    409: _l("That clashes with something that already exists."),
    413: _l("What you sent is too large. Please shorten it and try again."),
    422: _l("What you sent could not be processed."),
    429: _l("You are doing that too often. Please wait a little and try again."),
    500: _l("Sorry, something broke on our side. Please try again in a moment."),
}
CSRF_MESSAGE = _l(
    "Your form expired or did not come from this site, so it was not sent. "
    "Please go back, reload the page and try again."
)
_JSON_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large",
    422: "validation_failed", 429: "rate_limited", 500: "internal_error",
}


def _json_wanted() -> bool:
    return request.path.startswith("/api/") or wants_json()


def error_response(status: int, message=None, *, code=None, fields=None, retry_after=None):
    """Render the error page (or the JSON error object) for `status`."""
    text = str(message or MESSAGES.get(status, MESSAGES[400]))
    if _json_wanted():
        body = {"error": {
            "code": code or _JSON_CODES.get(status, "error"), "message": text,
            "fields": fields or {},
        }}
        if code == "login_required":
            body["error"]["login_url"] = url_for("auth.login")
        response = jsonify(body)
        response.status_code = status
    else:
        title = TITLES.get(status, TITLES[400])
        page = render_template("errors/error.html", status=status, title=title, message=text,
                               code=code)
        response = make_response(page, status)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _domain_error(error: DomainError):
    if isinstance(error, PermissionDenied) and error.code == "login_required":
        if not _json_wanted():
            return login_redirect()
    retry_after = error.retry_after if isinstance(error, RateLimited) else None
    return error_response(error.status, str(error.message), code=error.code,
                          fields=error.fields, retry_after=retry_after)


def _csrf_error(error: CSRFError):
    return missing_token_response(error) or error_response(400, CSRF_MESSAGE, code="csrf_failed")


def _http_error(error: HTTPException):
    # Flask-Limiter adds Retry-After to its 429 responses itself.
    return error_response(error.code or 500)


def _server_error(error: InternalServerError):
    db.session.rollback()
    try:
        return error_response(500)
    except Exception:  # the page itself failed: fall back to plain text
        log.exception("error page failed")
        return str(MESSAGES[500]), 500, {"Content-Type": "text/plain; charset=utf-8"}


def init_app(app: Flask) -> None:
    """Install the handlers on the application."""
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(CSRFError, _csrf_error)
    for status in (400, 401, 403, 404, 405, 409, 413, 422, 429):
        app.register_error_handler(status, _http_error)
    app.register_error_handler(InternalServerError, _server_error)
