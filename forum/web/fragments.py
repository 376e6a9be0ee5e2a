"""The thread page's posts, each with its comments, as cached HTML shared by viewers.

A fragment's key is a digest of everything its macro (templates/_macros/posts.html,
post_article) reads: the post, its author and editor, its comments, the thread's state
around it, the viewer's vote and permission answers, the language. An edit, a vote, a
new comment, a hide, a delete, an accepted answer or a reputation change makes another
key, so no service has to invalidate anything and no viewer gets another's buttons.
Entries live FRAGMENT_CACHE_SECONDS, which keeps "3 minutes ago" near the truth. Forms
inside carry a placeholder CSRF token that each use replaces with the viewer's own.
A macro change that reads something new must add it to `_post_state`.
"""
import hashlib

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup

from ..extensions import cache
from .lazy_csrf import placeholder_tokens, with_token


def cached_posts(page, viewer, render) -> dict[int, Markup]:
    """`render(post)` for each post of the thread page, by post id: from the cache (one
    round trip) where the post looked the same to this kind of viewer, else rendered."""
    posts = [page.question, *page.answers]
    seconds = current_app.config["FRAGMENT_CACHE_SECONDS"]
    if not seconds:
        return {post.id: render(post) for post in posts}
    keys = ["fragment:post:" + digest(_post_state(page, post, viewer)) for post in posts]
    found = cache.get_many(*keys)
    fresh = {}
    with placeholder_tokens():
        for post, key, html in zip(posts, keys, found):
            if html is None:
                fresh[key] = str(render(post))
    if fresh:
        cache.set_many(fresh, timeout=seconds)
    return {post.id: with_token(html or fresh[key]) for post, key, html in zip(posts, keys, found)}


def digest(state) -> str:
    """A short stable key for a tuple of what a cached piece of HTML shows."""
    return hashlib.blake2b(repr(state).encode(), digest_size=16).hexdigest()


def _post_state(page, post, viewer) -> tuple:
    thread = page.thread
    acts = page.post_actions[post.id]
    article = page.kb_articles.get(post.id)
    return (
        str(get_locale()), viewer is None,
        viewer.shown_reputation if viewer is not None and "comment" in acts.needs else None,
        thread.id, thread.slug, thread.is_locked, thread.accepted_answer_id == post.id,
        "accept" in page.thread_actions.allowed,
        post.id, post.created_at, post.edited_at, post.deleted_at, post.hidden_reason,
        post.score, post.is_staff_answer, post.is_question,
        _user(post.author), _user(post.edited_by), page.my_votes.get(post.id, 0),
        sorted(acts.allowed), sorted(acts.needs),
        article and (article.id, article.slug, article.title, article.status),
        post.is_question and (thread.board.slug, [tag.name for tag in thread.tags]),
        _comments_state(page, page.comments.get(post.id, [])),
    )


def _comments_state(page, nodes) -> list:
    return [
        (c.id, c.created_at, c.edited_at, c.edited_by_id, c.deleted_at, c.hidden_reason,
         _user(c.author), sorted(page.comment_actions[c.id].allowed),
         _comments_state(page, node.replies))
        for node in nodes for c in (node.comment,)
    ]


def _user(user) -> tuple | None:
    return user and (user.id, user.username, user.shown_reputation)
