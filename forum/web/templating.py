"""What templates get: the viewer, `can`, time formatting, labels and URL helpers."""
from datetime import datetime, timedelta
from functools import lru_cache

from babel.dates import TIMEDELTA_UNITS
from flask import Flask, has_request_context, url_for
from flask_babel import format_date, format_datetime, format_timedelta, get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from .. import permissions
from ..links import document_path
from ..timeutil import isoformat, utcnow
from . import acting_user
from .fragments import cached_posts
from .lazy_csrf import form_csrf_token


def thread_url(thread, **kwargs) -> str:
    """The canonical address of a thread."""
    return url_for("threads.show", thread_id=thread.id, slug=thread.slug, **kwargs)


# Pages show dozens of times: the words for each (language, unit, count) are made once.
_AGO_WORDS: dict[tuple[str, str, int], str] = {}


def ago(value: datetime | None) -> str:
    """'3 hours ago' in the current language."""
    return _ago(value, str(get_locale())) if value else ""


def _ago(value: datetime, language: str) -> str:
    delta = value - utcnow()  # negative: in the past, which Babel words as "... ago"
    if delta > -timedelta(minutes=1):
        return _("just now")
    seconds = delta.days * 86400 + delta.seconds
    key = (language, *_babel_unit(seconds))
    words = _AGO_WORDS.get(key)
    if words is None:
        words = _AGO_WORDS[key] = format_timedelta(delta, granularity="minute",
                                                   add_direction=True)
    return words


def _babel_unit(seconds: int) -> tuple[str, int]:
    """The unit and count that Babel's format_timedelta (minute granularity, its default
    threshold) words `seconds` in: all its words depend on, with the direction."""
    for unit, per_unit in TIMEDELTA_UNITS:
        value = abs(seconds) / per_unit
        if value >= 0.85 or unit == "minute":
            return unit, round(max(1, value)) * (1 if seconds >= 0 else -1)
    raise AssertionError("minute is among Babel's units")


def absolute(value: datetime | None) -> str:
    """The full date and time in the current language (UTC)."""
    return _absolute(value, str(get_locale())) if value else ""


@lru_cache(maxsize=4096)
def _absolute(value: datetime, _language: str) -> str:
    return format_datetime(value, "medium")


def long_date(value: datetime | None) -> str:
    """The date alone, spelled out in the current language."""
    return format_date(value, "long") if value else ""


def time_tag(value: datetime | None) -> Markup:
    """A <time> element showing the relative time, with the exact one as its title."""
    if value is None:
        return Markup("")
    language = str(get_locale())
    return Markup(f'<time datetime="{isoformat(value)}" title="{escape(_absolute(value, language))}">'
                  f'{escape(_ago(value, language))}</time>')


def role_name(role: str) -> str:
    """The role in the current language."""
    names = {
        "user": _("Member"),
        "moderator": _("Moderator"),
        "staff": _("Staff"),
        "admin": _("Administrator"),
    }
    return names.get(role, role)


def reason_label(reason: str) -> str:
    """A ledger event's reason in the current language."""
    labels = {
        "upvote": _("Voted up"),
        "downvote": _("Voted down"),
        "downvote_cast": _("You voted an answer down"),
        "accepted": _("Answer accepted"),
        "accept_given": _("You accepted an answer"),
        "promoted": _("Answer promoted to the knowledge base"),
        "upvote_undone": _("Up vote withdrawn"),
        "downvote_undone": _("Down vote withdrawn"),
        "downvote_cast_undone": _("Your down vote withdrawn"),
        "accepted_undone": _("Acceptance withdrawn"),
        "accept_given_undone": _("Acceptance withdrawn"),
        "post_deleted": _("Post deleted"),
        "post_restored": _("Post restored"),
    }
    return labels.get(reason, reason.replace("_", " "))


def detail_label(detail: str | None) -> str:
    """Why a ledger event earned less than the rule's points."""
    if detail == "capped":
        return _("daily limit of reputation from votes reached")
    if detail == "serial":
        return _("serial voting: counted, but no reputation")
    return ""


def tier_name(tier: str) -> str:
    """A badge tier in the current language."""
    return {"gold": _("Gold"), "silver": _("Silver"), "bronze": _("Bronze")}.get(tier, tier)


def lang_code() -> str:
    """The language of this page, for <html lang>."""
    locale = get_locale()
    return str(locale.language) if locale else "en"


def init_app(app: Flask) -> None:
    """Register the globals and filters."""
    app.jinja_env.globals.update(
        can=permissions.can, missing_privilege=permissions.missing_privilege,
        privilege_threshold=permissions.threshold, thread_url=thread_url, lang_code=lang_code,
        role_name=role_name, reason_label=reason_label, detail_label=detail_label,
        tier_name=tier_name, document_path=document_path, form_csrf_token=form_csrf_token,
        cached_posts=cached_posts,
    )
    app.jinja_env.filters.update(
        ago=ago, absolute=absolute, long_date=long_date, time_tag=time_tag,
    )

    @app.context_processor
    def _viewer():
        return {"viewer": acting_user() if has_request_context() else None}


