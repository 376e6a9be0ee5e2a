"""Comments on posts, threaded by replying to another comment; edited with revisions,
deleted softly and restored by moderators."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from moderation import audit, screening

from ..errors import Conflict, NotFound
from ..extensions import db
from ..models import Comment, CommentRevision, Post, User
from ..permissions import require
from ..rendering import render_markdown
from ..timeutil import utcnow
from ..transactions import transactional
from . import content, inputs
from .indexing import index_thread
from .threads import _id, _may_see, get_post


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


def get_comment(comment_id, viewer: User | None) -> Comment:
    """The comment if `viewer` may see it (and its post), else NotFound."""
    comment = db.session.get(
        Comment, _id(comment_id),
        options=[joinedload(Comment.post).joinedload(Post.thread), joinedload(Comment.author)],
    )
    if comment is None or not _may_see(viewer, comment):
        raise NotFound(_l("No such comment."))
    get_post(comment.post_id, viewer)  # the post (and its thread) must be visible too
    return comment


def comment_for_edit(editor: User | None, comment_id) -> Comment:
    """The comment `editor` is about to edit, if they may."""
    comment = get_comment(comment_id, editor)
    require(editor, "edit_comment", comment)
    return comment


def _audit_if_moderating(actor: User, comment: Comment, action: str, **values) -> None:
    """A moderator acting on someone else's comment leaves an audit row."""
    if actor.is_moderator and actor.id != comment.author_id:
        audit.record(actor, action, "comment", comment.id, **values)


@transactional
def edit_comment(editor: User, comment_id, body, reason: str = "") -> Comment:
    """Change a comment's text; the earlier text is kept as a revision naming its writer."""
    comment = comment_for_edit(editor, comment_id)
    body = content.comment_body(body)
    reason = inputs.text(reason, "reason", max_len=300, label=_l("Reason"))
    if body == comment.body:
        return comment
    before = comment.body
    db.session.add(CommentRevision(
        comment_id=comment.id, author_id=comment.edited_by_id or comment.author_id,
        body=before, created_at=comment.edited_at or comment.created_at,
    ))
    comment.body, comment.body_html = body, render_markdown(body)
    comment.edited_at, comment.edited_by_id = utcnow(), editor.id
    _audit_if_moderating(editor, comment, "edit", reason=reason,
                         before={"body": before}, after={"body": body})
    return comment


@transactional
def delete_comment(actor: User, comment_id, reason: str = "") -> Comment:
    """Soft-delete a comment (its author or a moderator); moderators can still see it."""
    comment = get_comment(comment_id, actor)
    require(actor, "delete_comment", comment)
    reason = inputs.text(reason, "reason", max_len=300, label=_l("Reason"))
    comment.deleted_at = utcnow()
    _audit_if_moderating(actor, comment, "delete", reason=reason,
                         before={"deleted": False}, after={"deleted": True})
    index_thread(comment.post.thread_id)
    return comment


@transactional
def restore_comment(actor: User, comment_id, reason: str = "") -> Comment:
    """Undelete a comment (moderators)."""
    comment = get_comment(comment_id, actor)
    require(actor, "restore_comment", comment)
    if comment.deleted_at is None:
        raise Conflict(_l("This comment is not deleted."))
    reason = inputs.text(reason, "reason", max_len=300, label=_l("Reason"))
    comment.deleted_at = None
    audit.record(actor, "restore", "comment", comment.id, reason=reason,
                 before={"deleted": True}, after={"deleted": False})
    index_thread(comment.post.thread_id)
    return comment


def comment_revisions(comment_id, viewer: User | None) -> list[CommentRevision]:
    """A comment's earlier texts, oldest first."""
    comment = get_comment(comment_id, viewer)
    return list(db.session.scalars(
        select(CommentRevision).where(CommentRevision.comment_id == comment.id)
        .options(joinedload(CommentRevision.author))
        .order_by(CommentRevision.created_at, CommentRevision.id)
    ))
