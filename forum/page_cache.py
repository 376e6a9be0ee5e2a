"""Whole pages for anonymous visitors, from the cache, with HTTP validators and 304s.

A visitor with no cookie of ours (session, remember-me, KB visitor id) and
no Authorization header sees the public pages exactly as every other such
visitor does, in their language. Those pages are rendered without touching
the session (forms get their CSRF token when submitted: forum/web/lazy_csrf.py),
stored in `cache` under the content generation read before the page read
the database (forum/page_generation.py), and served by a `before_request`
hook on later visits, before users, boards or threads are loaded. Any write
changes the generation, so the next visit renders afresh; entries also
expire after `PAGE_CACHE_SECONDS`, which keeps "3 minutes ago" roughly true.

Every such page carries an ETag (a hash of its bytes) and Last-Modified,
with `Cache-Control: public, max-age=0, must-revalidate` and
`Vary: Cookie, Accept-Language`, and answers a matching If-None-Match, or an
If-Modified-Since later than the last write, with 304 Not Modified.
A hit on a thread page counts its view like a rendered one.
"""
import hashlib
import math
import time
from typing import NamedTuple

from flask import Flask, current_app, g, request, session
from werkzeug.http import http_date

from . import page_generation, visitors
from .extensions import cache
from .i18n import browser_locale
from .services import views

# The public pages: each looks the same to every anonymous visitor in one language.
CACHED_ENDPOINTS = frozenset({
    "boards.index", "boards.show", "threads.show",
    "kb.index", "kb.faq", "kb.board", "kb.article",
    "users.index", "users.profile",
    "reputation.badge_index", "reputation.badge", "reputation.privileges",
})
CACHE_CONTROL = "public, max-age=0, must-revalidate"
VARY = "Cookie, Accept-Language"


class Entry(NamedTuple):
    """A stored page, with its validators ready to send."""

    body: bytes
    etag: str  # unquoted
    last_modified: str  # an HTTP date


class Pending(NamedTuple):
    """What the lookup learnt, for storing the page the view renders."""

    key: str
    started: float
    changed_at: float


def init_app(app: Flask) -> None:
    """Serve and store anonymous pages; give the app its content generation."""
    page_generation.init_app(app)
    app.before_request(_serve_from_cache)
    app.after_request(_store_and_validate)


def is_anonymous_page() -> bool:
    """Whether this request is for a public page seen by a visitor without cookies of ours.

    Such pages never touch the session, so that they can be shared.
    """
    if request.method not in ("GET", "HEAD") or request.endpoint not in CACHED_ENDPOINTS:
        return False
    if "Authorization" in request.headers:
        return False
    cookies = request.cookies
    config = current_app.config
    return not (config["SESSION_COOKIE_NAME"] in cookies or visitors.COOKIE in cookies
                or config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies)


def _key(generation: int) -> str:
    # The host is part of it: pages may hold absolute links built from it.
    query = request.query_string.decode("latin-1")
    return f"page:{generation}:{browser_locale()}:{request.scheme}://{request.host}{request.path}?{query}"


def _serve_from_cache():
    if not is_anonymous_page():
        return None
    started = time.time()
    generation, changed_at = page_generation.current()
    key = _key(generation)
    entry = cache.get(key)
    if entry is None:
        g.page_cache = Pending(key, started, changed_at)  # for the view's page to be stored
        return None
    if request.method == "GET" and request.endpoint == "threads.show":
        views.record(request.view_args["thread_id"])
    response = current_app.response_class(entry.body, mimetype="text/html")
    return _validated(response, entry, changed_at)


def _store_and_validate(response):
    pending = g.pop("page_cache", None)
    if pending is None or not _storable(response):
        return response
    body = response.get_data()
    etag = hashlib.blake2b(body, digest_size=16).hexdigest()
    entry = Entry(body, etag, http_date(math.floor(pending.started)))
    if request.method == "GET":
        cache.set(pending.key, entry, timeout=current_app.config["PAGE_CACHE_SECONDS"])
    return _validated(response, entry, pending.changed_at)


def _storable(response) -> bool:
    """A complete page, the same for everyone: 200, HTML, no cookie set, session untouched."""
    return (response.status_code == 200 and response.mimetype == "text/html"
            and not response.is_streamed and "Set-Cookie" not in response.headers
            and not session.modified)


def _validated(response, entry: Entry, changed_at: float):
    """Add the validators and caching headers; turn into 304 when the client is up to date."""
    headers = response.headers
    headers["ETag"] = f'"{entry.etag}"'
    headers["Last-Modified"] = entry.last_modified
    headers["Cache-Control"] = CACHE_CONTROL
    headers["Vary"] = VARY  # Flask adds Cookie again when the page read the session
    if _not_modified(entry, changed_at):
        response.status_code = 304  # werkzeug sends it without body and entity headers
    return response


def _not_modified(entry: Entry, changed_at: float) -> bool:
    """If-None-Match decides when sent; else If-Modified-Since after the last write.

    HTTP dates have whole seconds: a copy dated in the second of the last
    write may predate it, so it must be at least a second later.
    """
    if request.if_none_match:  # weak comparison, as RFC 9110 asks (proxies that gzip weaken tags)
        return request.if_none_match.contains_weak(entry.etag)
    since = request.if_modified_since
    return since is not None and since.timestamp() >= changed_at + 1
