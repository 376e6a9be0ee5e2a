"""Comments on posts, threaded by replying to another comment."""
from flask_babel import lazy_gettext as _l

from moderation import screening

from ..errors import NotFound
from ..extensions import db
from ..models import Comment, User
from ..permissions import require
from ..rendering import render_markdown
from ..timeutil import utcnow
from ..transactions import transactional
from . import content, inputs
from .threads import get_post


@transactional
def add_comment(author: User, post_id, body, parent_id=None) -> Comment:
    """Comment on a post, or reply to one of its comments."""
    post = get_post(post_id, author)
    require(author, "comment", post)
    body = content.comment_body(body)
    parent_id = inputs.integer(parent_id, "parent_id", allow_none=True)
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.post_id != post.id or parent.deleted_at:
            raise NotFound(_l("No such comment on this post."), fields={"parent_id": "not found"})
    verdict = screening.screen(author, body, kind="comment", thread_id=post.thread_id)
    now = utcnow()
    comment = Comment(
        post_id=post.id, parent_id=parent_id, author_id=author.id, body=body,
        body_html=render_markdown(body), created_at=now,
    )
    db.session.add(comment)
    post.thread.last_activity_at = now
    post.thread.last_activity_user_id = author.id
    db.session.flush()
    if verdict.held:
        screening.hold(comment, verdict.reasons)
    return comment
