"""Spam screening and posting limits: the gate every new post, comment and edit passes.

`screen` is one of the two calls `forum` makes into moderation (services call
it after checking the text and before writing). It refuses with a 422 when a
new member's post carries too many links, and with a 429 when the author posts
faster than the limits allow; otherwise it returns whether the item must be
held for review, which the service then does with `hold` (hidden_reason
"held", an audit row by the system). Moderators are trusted and not screened.

A member is new while their reputation is below SCREENING_NEW_USER_REPUTATION
or their account is younger than SCREENING_NEW_USER_HOURS; new members may post
only a few links, and they have tighter posting limits. Anyone's text (but a
moderator's) is held for a blocked word or domain, many links (possible only
once a member is no longer new), or text identical to one of their recent posts
in another thread.

This module imports only models, the extensions and leaf modules of `forum`,
so `forum.services` can call it without an import cycle.
"""
import math
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, has_request_context
from flask_babel import lazy_gettext as _l
from limits import parse
from sqlalchemy import select

from forum.errors import RateLimited, ValidationError
from forum.extensions import db, limiter
from forum.models import Comment, Post, Thread, User
from forum.models.threads import text_hash
from forum.timeutil import utcnow

from . import audit
from .models import ScreeningTerm

KINDS = ("thread", "answer", "comment", "edit")
# Which posting limit each kind counts against (edits are not rate-limited).
_LIMIT_GROUPS = {"thread": "threads", "answer": "replies", "comment": "replies"}
_LINK = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>()\[\]\"']+")
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class Verdict:
    """The outcome of screening: `held` with the reasons, or fit to publish."""

    reasons: list[str] = field(default_factory=list)

    @property
    def held(self) -> bool:
        return bool(self.reasons)


def _setting(name: str):
    return current_app.config[name]


def is_new_member(user: User) -> bool:
    """Whether the member is still new: little reputation, or a young account."""
    young = user.created_at > utcnow() - timedelta(hours=_setting("SCREENING_NEW_USER_HOURS"))
    return young or user.reputation < _setting("SCREENING_NEW_USER_REPUTATION")


def links_in(text: str) -> list[str]:
    """The web addresses written in `text` (Markdown links and bare URLs alike)."""
    return _LINK.findall(text or "")


def _host(url: str) -> str:
    if url.lower().startswith("www."):
        url = "http://" + url
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def screen(author: User, text: str, *, kind: str, thread_id: int | None = None,
           title: str = "", field_name: str = "body") -> Verdict:
    """Check `text` (and a question's `title`) about to be published by `author`;
    raise 422/429 or return the verdict.

    `thread_id` is the thread the text goes to (None for a new thread), so that
    the same text posted again in the same thread is not taken for spam.
    """
    if author.is_moderator:
        return Verdict()
    new = is_new_member(author)
    links = links_in(f"{title}\n{text}")
    limit = _setting("SCREENING_NEW_USER_MAX_LINKS")
    if new and len(links) > limit:
        raise ValidationError(
            _l("New members can post at most %(n)s links at a time; this has %(count)s. "
               "Please remove some. The limit goes once you have %(rep)s reputation.",
               n=limit, count=len(links), rep=_setting("SCREENING_NEW_USER_REPUTATION")),
            fields={field_name: f"at most {limit} links"},
        )
    _check_rate(author, kind, new)
    return Verdict(_suspicions(author, text, title, links, kind, thread_id))


def _suspicions(author: User, text: str, title: str, links: list[str], kind: str,
                thread_id) -> list[str]:
    reasons = []
    words = {w.lower() for w in _WORD.findall(f"{title}\n{text}")}
    hosts = {_host(link) for link in links}
    for term_kind, value in db.session.execute(select(ScreeningTerm.kind, ScreeningTerm.value)):
        if term_kind == "word" and value.lower() in words:
            reasons.append(f"blocked word: {value}")
        elif term_kind == "domain" and any(h == value or h.endswith("." + value) for h in hosts):
            reasons.append(f"blocked domain: {value}")
    if len(links) >= _setting("SCREENING_HOLD_LINKS"):
        reasons.append(f"{len(links)} links")
    if _repeats_recent_text(author, text, kind, thread_id):
        reasons.append("same text as a recent post in another thread")
    return reasons


def _repeats_recent_text(author: User, text: str, kind: str, thread_id) -> bool:
    since = utcnow() - timedelta(hours=_setting("SCREENING_DUPLICATE_HOURS"))
    body = text.strip()
    if kind == "comment":
        query = (select(Comment.id).join(Post, Post.id == Comment.post_id)
                 .where(Comment.author_id == author.id, Comment.body == body,
                        Comment.created_at >= since))
    else:
        query = select(Post.id).where(Post.author_id == author.id,
                                      Post.body_hash == text_hash(body), Post.body == body,
                                      Post.created_at >= since)
    if thread_id is not None:
        query = query.where(Post.thread_id != thread_id)
    return db.session.scalar(query.limit(1)) is not None


def hold(item: Thread | Post | Comment, reasons: list[str]) -> None:
    """Hide a just-written item until a moderator approves it; a question holds its thread."""
    now = utcnow()
    items = [item]
    if isinstance(item, Post) and item.is_question:
        items.append(item.thread)
    for each in items:
        each.hidden_at, each.hidden_reason = now, "held"
    db.session.flush()
    audit.record(audit.SYSTEM, "hold", type(item).__name__.lower(), item.id,
                 reason="; ".join(reasons)[:500], after={"hidden_reason": "held"})


# --- posting limits ---------------------------------------------------------------

def _limits_for(kind: str, new: bool):
    """The limits a post of `kind` counts against. They pace people posting through the
    site and the API; the command line (demo data, imports) is not limited."""
    group = _LIMIT_GROUPS.get(kind)
    if group is None or not has_request_context() or not current_app.config.get(
            "RATELIMIT_ENABLED"):
        return []
    names = [f"POST_LIMIT_{group.upper()}"] + ([f"POST_LIMIT_NEW_{group.upper()}"] if new else [])
    return [(parse(_setting(name)), group) for name in names]


def _check_rate(author: User, kind: str, new: bool) -> None:
    """Count one post against the author's limits, or refuse with the wait (429)."""
    checks = _limits_for(kind, new)
    strategy = limiter.limiter if checks else None
    for item, group in checks:
        if not strategy.test(item, "askdesk-post", group, str(author.id)):
            reset_at = strategy.get_window_stats(item, "askdesk-post", group,
                                                 str(author.id)).reset_time
            raise _too_fast(max(1, math.ceil(reset_at - time.time())))
    for item, group in checks:
        strategy.hit(item, "askdesk-post", group, str(author.id))


def _too_fast(wait: int) -> RateLimited:
    if wait < 120:
        message = _l("You are posting faster than we allow. You can post again in "
                     "%(n)s seconds.", n=wait)
    else:
        message = _l("You are posting faster than we allow. You can post again in "
                     "%(n)s minutes.", n=math.ceil(wait / 60))
    return RateLimited(message, retry_after=wait, fields={"retry_after": str(wait)})
