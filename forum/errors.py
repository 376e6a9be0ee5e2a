"""Domain errors raised by services; web and api translate them to HTTP."""


class DomainError(Exception):
    """Base class: `code` is the machine-readable code of the JSON error format.

    `message` may be a lazy translation; `str(error.message)` renders it in the
    current request's language (English for the API and the CLI by default).
    """

    status = 400
    code = "bad_request"

    def __init__(self, message, *, code: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}


class ValidationError(DomainError):
    status = 422
    code = "validation_failed"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class PrivilegeRequired(PermissionDenied):
    """Refused for want of a reputation privilege; `fields` name it and the distance:
    privilege, threshold, reputation and missing (as strings, like every field)."""

    code = "privilege_required"

    def __init__(self, message, *, privilege: str, threshold: int, reputation: int,
                 fields: dict | None = None):
        missing = max(threshold - reputation, 0)
        super().__init__(message, fields={
            **(fields or {}),
            "privilege": privilege,
            "threshold": str(threshold),
            "reputation": str(reputation),
            "missing": str(missing),
        })
        self.privilege, self.threshold = privilege, threshold
        self.reputation, self.missing = reputation, missing


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"

    def __init__(self, message, *, retry_after: int = 60, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
