"""The API's one error format, for every error under /api/v1 (see API.md).

`{"error": {"code": ..., "message": ..., "fields": {...}}}` whatever went
wrong: domain errors from the services, HTTP errors from Flask and
Flask-Limiter, unknown routes and unexpected exceptions (a generic 500).
The handlers are registered on the blueprint for every HTTP status code,
so app-wide HTML error pages never answer an API request.
"""
import time

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import (
    HTTPException,
    MethodNotAllowed,
    NotFound,
    default_exceptions,
)

from ..errors import DomainError, RateLimited
from ..extensions import db, limiter

# Machine codes for the HTTP errors Flask or werkzeug raise themselves.
HTTP_CODES = {
    400: "bad_request",
    401: "authentication_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    500: "internal_error",
}
HTTP_MESSAGES = {
    404: "No such resource.",
    405: "This method is not allowed here.",
    413: "The request body is too large.",
    429: "Too many requests; try again later.",
    500: "Something went wrong on our side.",
}
CATCH_ALL_ENDPOINTS = ("api.unknown_root", "api.unknown_path")
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


class ApiError(Exception):
    """An error raised by the API layer itself (bad JSON, missing token...)."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None,
                 headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields = fields or {}
        self.headers = headers or {}


def error_response(status: int, code: str, message: str, fields: dict | None = None,
                   headers: dict | None = None):
    """A response in the API's error format."""
    response = jsonify({"error": {"code": code, "message": message, "fields": fields or {}}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _api_error(error: ApiError):
    return error_response(error.status, error.code, error.message, error.fields, error.headers)


def _domain_error(error: DomainError):
    headers = {}
    if isinstance(error, RateLimited):
        headers["Retry-After"] = str(max(int(error.retry_after), 1))
    return error_response(error.status, error.code, str(error.message), error.fields, headers)


def _http_error(error: HTTPException):
    status = error.code or 500
    code = HTTP_CODES.get(status, "http_error")
    message = HTTP_MESSAGES.get(status) or error.description or error.name
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    if status == 429:
        headers["Retry-After"] = str(_limiter_retry_after())
    if status >= 500:
        message = HTTP_MESSAGES[500]
    return error_response(status, code, message, {}, headers)


def _limiter_retry_after() -> int:
    current = limiter.current_limit
    if current is None:
        return 60
    return max(int(current.reset_at - time.time()), 1)


def _internal_error(_error):
    # Flask has logged the exception; the client gets no details.
    db.session.rollback()
    return error_response(500, "internal_error", HTTP_MESSAGES[500])


def unknown_route(path: str = ""):
    """Any other path under /api/v1: 405 if the path exists for another method, else 404."""
    adapter = current_app.create_url_adapter(request)
    allowed = set()
    for method in _METHODS:
        try:
            rule, _args = adapter.match(method=method, return_rule=True)
        except HTTPException:
            continue
        if rule.endpoint not in CATCH_ALL_ENDPOINTS:
            allowed.add(method)
    if allowed:
        if "GET" in allowed:
            allowed.add("HEAD")
        raise MethodNotAllowed(valid_methods=sorted(allowed | {"OPTIONS"}))
    raise NotFound()


def init_blueprint(bp: Blueprint) -> None:
    """Register the JSON error handlers and the catch-all route on the API blueprint."""
    bp.register_error_handler(ApiError, _api_error)
    bp.register_error_handler(DomainError, _domain_error)
    bp.register_error_handler(HTTPException, _http_error)
    for status in default_exceptions:
        # Code-specific handlers win over class handlers in Flask's lookup, and an
        # app-wide one (the HTML error pages) would win over ours without these.
        bp.register_error_handler(status, _internal_error if status == 500 else _http_error)
    bp.add_url_rule("", "unknown_root", unknown_route, methods=_METHODS)
    bp.add_url_rule("/", "unknown_root", unknown_route, methods=_METHODS)
    bp.add_url_rule("/<path:path>", "unknown_path", unknown_route, methods=_METHODS)
