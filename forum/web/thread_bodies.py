"""Thread page bodies shared by signed-in viewers of one kind, from the cache.

Most signed-in readers of a thread had no hand in it; to them it looks the same as to
every other member with their role and privileges. The body of the page (all inside
the layout) is stored under the content generation read before the page read the
database (forum/page_generation.py), the thread, the language and a digest of what
makes one viewer's page differ from another's: `permissions.viewer_kind` and
`threads.viewer_dealings` (the viewer's own posts, comments, votes, close votes and
ticket there; a viewer who wrote anything in the thread gets bodies of their own).
A later view by any viewer with the same digest, before the next write, skips loading
the thread: one query for the dealings, one cache read, and the layout (the header
with the viewer's name, flashed messages) rendered around it. Entries live
FRAGMENT_CACHE_SECONDS, like the post fragments, which keeps "3 minutes ago" near the
truth. Forms in a body carry the placeholder token that each use replaces
(forum/web/lazy_csrf.py).
"""
from typing import NamedTuple

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup

from .. import page_generation
from ..extensions import cache
from ..permissions import viewer_kind
from ..services.threads import viewer_dealings
from .fragments import digest
from .lazy_csrf import with_token


class Body(NamedTuple):
    """A stored body, with what the layout and the address check need."""

    slug: str
    title: str
    html: str  # forms carry PLACEHOLDER


def key(thread_id: int, viewer) -> str | None:
    """The cache key of the body `viewer` would see; None when bodies are not cached."""
    if not current_app.config["FRAGMENT_CACHE_SECONDS"]:
        return None
    generation = page_generation.current()[0]  # before anything is read for the page
    dealings = viewer_dealings(thread_id, viewer)
    viewer_id = viewer.id if any(kind in ("post", "comment", "ticket")
                                 for kind, _id, _value in dealings) else None
    state = (str(get_locale()), viewer_kind(viewer), viewer_id, dealings)
    return f"thread-body:{generation}:{thread_id}:{digest(state)}"


def lookup(key: str | None) -> Body | None:
    """The body stored under `key`, if any."""
    return cache.get(key) if key is not None else None


def store(key: str | None, body: Body) -> None:
    """Keep `body` for the next viewer with the same key."""
    if key is not None:
        cache.set(key, body, timeout=current_app.config["FRAGMENT_CACHE_SECONDS"])


def html(body: Body) -> Markup:
    """The body with this viewer's CSRF token in its forms."""
    return with_token(body.html)
