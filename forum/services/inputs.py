"""Checks for raw input values, shared by the forms, the JSON API and the CLI.

Services receive values as they came (from JSON they may be any type) and
turn anything unusable into a ValidationError naming the field, so bad
input becomes a 422 instead of a database error.
"""
import re

from ..errors import ValidationError

# Control characters other than tab and newlines: PostgreSQL rejects NUL, and none
# of them belongs in a forum post.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text(value, field: str, *, min_len: int = 0, max_len: int, label: str | None = None) -> str:
    """Return `value` stripped, or raise ValidationError if it is not fitting text."""
    label = label or field.replace("_", " ").capitalize()
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(f"{label} must be text.", fields={field: "must be a string"})
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(f"{label} is not valid text.", fields={field: "invalid unicode"})
    if _CONTROL.search(value):
        raise ValidationError(
            f"{label} contains control characters.", fields={field: "control characters"}
        )
    value = value.replace("\r\n", "\n").strip()
    if len(value) < min_len:
        problem = "is required" if not value else f"must be at least {min_len} characters"
        raise ValidationError(f"{label} {problem}.", fields={field: problem})
    if len(value) > max_len:
        problem = f"must be at most {max_len} characters"
        raise ValidationError(f"{label} {problem}.", fields={field: problem})
    return value


def lookup(value, max_len: int) -> str | None:
    """`value` as a key to look something up by, or None if no row could match it.

    Names from URLs and login forms go straight into queries; NUL or broken
    unicode there would make PostgreSQL fail instead of simply finding nothing.
    """
    if not isinstance(value, str) or len(value) > max_len or _CONTROL.search(value):
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return value


def integer(value, field: str, *, allow_none: bool = False) -> int | None:
    """Return `value` as an int; bools and numeric strings from forms are handled."""
    if value is None or value == "":
        if allow_none:
            return None
        raise ValidationError(f"{field} is required.", fields={field: "is required"})
    if isinstance(value, bool):
        raise ValidationError(f"{field} must be an integer.", fields={field: "must be an integer"})
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,18}", value.strip(), re.ASCII):
        return int(value)
    if type(value) is int and abs(value) < 2**62:
        return value
    raise ValidationError(f"{field} must be an integer.", fields={field: "must be an integer"})


def choice(value, field: str, options) -> str:
    """Return `value` if it is one of `options`."""
    if not isinstance(value, str) or value not in options:
        allowed = ", ".join(options)
        raise ValidationError(
            f"{field} must be one of: {allowed}.", fields={field: f"must be one of {allowed}"}
        )
    return value
