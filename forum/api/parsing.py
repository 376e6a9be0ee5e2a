"""Reading API requests: the JSON object body, query parameters, pagination.

Only syntax is checked here (JSON, an object, text that can be stored);
what a value must be is the services' business, so that the pages, the
API and the CLI share one rule.
"""
import json
import re

from flask import request

from ..errors import NotFound, ValidationError
from ..services import inputs
from ..services.pagination import page_args
from .errors import ApiError

_JSON_MIMETYPE = re.compile(r"application/(?:[\w.+-]+\+)?json")
# NUL and other control characters: PostgreSQL rejects NUL in text, and no
# name, slug or query value contains them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _bad_request(code: str, message: str) -> ApiError:
    return ApiError(400, code, message)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def json_body() -> dict:
    """The request body as a JSON object; 400 if it is anything else."""
    if not _JSON_MIMETYPE.fullmatch(request.mimetype or ""):
        raise _bad_request(
            "unsupported_media_type", "Send the body as JSON with Content-Type: application/json."
        )
    raw = request.get_data(cache=True)  # 413 past MAX_CONTENT_LENGTH
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError):  # includes JSONDecodeError and UnicodeDecodeError
        raise _bad_request("invalid_json", "The request body is not valid JSON.")
    if not isinstance(data, dict):
        raise _bad_request("invalid_body", "The request body must be a JSON object.")
    for key, value in data.items():
        if not _encodable(key):
            raise _bad_request("invalid_json", "The request body contains invalid Unicode.")
        if not _all_encodable(value):
            raise ValidationError(
                f"{key} is not valid text (lone surrogate).", fields={key: "invalid unicode"}
            )
    return data


def optional_json_body() -> dict:
    """The JSON object body, or {} when the request has no body at all."""
    if not request.get_data(cache=True):
        return {}
    return json_body()


def require_fields(data: dict, *names: str, nullable: bool = True) -> None:
    """422 naming every field in `names` that the body lacks (or has as null, if not nullable)."""
    missing = {
        name: "is required" for name in names
        if name not in data or (data[name] is None and not nullable)
    }
    if missing:
        raise ValidationError(f"Missing: {', '.join(missing)}.", fields=missing)


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _all_encodable(value, depth: int = 0) -> bool:
    if isinstance(value, str):
        return _encodable(value)
    if depth > 50:
        return False
    if isinstance(value, list):
        return all(_all_encodable(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(_encodable(k) and _all_encodable(v, depth + 1) for k, v in value.items())
    return True


def usable_text(value: str) -> bool:
    """Whether `value` could equal stored text (no control characters or lone surrogates)."""
    return not _CONTROL.search(value) and _encodable(value)


def reject_unusable_text(value: str, status: int, field: str | None = None) -> None:
    """Refuse path or query text that no stored value can equal: 404 or 422."""
    if not usable_text(value):
        if status == 404:
            raise NotFound("Not found.")
        raise ValidationError(
            f"{field} contains characters that are not allowed.",
            fields={field: "control characters or invalid unicode"},
        )


def query_text(name: str, max_len: int = 200) -> str | None:
    """A query-string parameter as text, None when absent or empty."""
    value = request.args.get(name)
    if value in (None, ""):
        return None
    reject_unusable_text(value, 422, name)
    if len(value) > max_len:
        raise ValidationError(
            f"{name} is too long.", fields={name: f"must be at most {max_len} characters"}
        )
    return value


def pagination(default_per_page: int = 30) -> tuple[int, int]:
    """`page` and `per_page` from the query string; 422 when out of range or not numbers."""
    raw = {name: request.args.get(name) for name in ("page", "per_page")}
    for name, value in raw.items():
        # page_args reads 0 as "not given"; an explicit 0 is out of range here.
        if value not in (None, "") and inputs.integer(value, name) < 1:
            raise ValidationError(f"{name} must be at least 1.", fields={name: "must be >= 1"})
    return page_args(raw["page"], raw["per_page"], default_per_page=default_per_page)
