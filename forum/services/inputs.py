"""Checks for raw input values, shared by the forms, the JSON API and the CLI.

Services receive values as they came (from JSON they may be any type) and
turn anything unusable into a ValidationError naming the field, so bad
input becomes a 422 instead of a database error. Messages are lazy
translations, shown in the reader's language; `fields` stays English for
programs.
"""
import re

from flask_babel import lazy_gettext as _l

from ..errors import ValidationError

# Control characters other than tab and newlines: PostgreSQL rejects NUL, and none
# of them belongs in a forum post.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _usable_text(value) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not _CONTROL.search(value)


def text(value, field: str, *, min_len: int = 0, max_len: int, label=None) -> str:
    """Return `value` stripped, or raise ValidationError if it is not fitting text."""
    label = field if label is None else label
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(
            _l("%(label)s must be text.", label=label), fields={field: "must be a string"}
        )
    if not _usable_text(value):
        raise ValidationError(
            _l("%(label)s is not valid text.", label=label), fields={field: "invalid characters"}
        )
    value = value.replace("\r\n", "\n").strip()
    if not value and min_len:
        raise ValidationError(
            _l("%(label)s is required.", label=label), fields={field: "is required"}
        )
    if len(value) < min_len:
        raise ValidationError(
            _l("%(label)s must be at least %(n)s characters.", label=label, n=min_len),
            fields={field: f"must be at least {min_len} characters"},
        )
    if len(value) > max_len:
        raise ValidationError(
            _l("%(label)s must be at most %(n)s characters.", label=label, n=max_len),
            fields={field: f"must be at most {max_len} characters"},
        )
    return value


def lookup(value, max_len: int) -> str | None:
    """`value` as a key to look something up by, or None if no row could match it.

    Names from URLs and login forms go straight into queries; NUL or broken
    unicode there would make PostgreSQL fail instead of simply finding nothing.
    """
    if not isinstance(value, str) or len(value) > max_len or not _usable_text(value):
        return None
    return value


def integer(value, field: str, *, allow_none: bool = False) -> int | None:
    """Return `value` as an int; numeric strings from forms are accepted, bools are not."""
    if value is None or value == "":
        if allow_none:
            return None
        raise ValidationError(
            _l("%(label)s is required.", label=field), fields={field: "is required"}
        )
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,18}", value.strip(), re.ASCII):
        return int(value)
    if type(value) is int and abs(value) < 2**62:
        return value
    raise ValidationError(
        _l("%(label)s must be a whole number.", label=field), fields={field: "must be an integer"}
    )


def choice(value, field: str, options) -> str:
    """Return `value` if it is one of `options`."""
    if not isinstance(value, str) or value not in options:
        allowed = ", ".join(options)
        raise ValidationError(
            _l("%(label)s must be one of: %(allowed)s.", label=field, allowed=allowed),
            fields={field: f"must be one of {allowed}"},
        )
    return value
