"""Editing comments with revisions, deleting and restoring them, and the audit rows."""
import pytest
from sqlalchemy import select

from forum.errors import Conflict, NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import Comment
from forum.services import comments, threads
from moderation.models import AuditEntry
from tests.factories import make_answer, make_thread, make_user


def _comment(text="The first version of my comment"):
    answer = make_answer(make_thread())
    return comments.add_comment(answer.author, answer.id, text)


def _actions():
    return db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "comment")
                              .order_by(AuditEntry.id)).all()


def test_moderator_edit_keeps_the_earlier_text_and_names_the_moderator(app):
    comment, moderator = _comment(), make_user(role="moderator")
    comments.edit_comment(moderator, comment.id, "A moderated version", "rude words")
    stored = db.session.get(Comment, comment.id)
    assert stored.body == "A moderated version" and "moderated" in stored.body_html
    assert stored.edited_by_id == moderator.id and stored.edited_at is not None
    [revision] = comments.comment_revisions(comment.id, moderator)
    assert (revision.body, revision.author_id) == ("The first version of my comment",
                                                   comment.author_id)
    row = db.session.scalar(select(AuditEntry).where(AuditEntry.target_type == "comment"))
    assert (row.action, row.reason, row.before, row.after) == (
        "edit", "rude words", {"body": "The first version of my comment"},
        {"body": "A moderated version"})


def test_author_edits_own_comment_without_an_audit_row(app):
    comment = _comment()
    comments.edit_comment(comment.author, comment.id, "Second thoughts, corrected")
    assert len(comments.comment_revisions(comment.id, comment.author)) == 1
    assert _actions() == []


def test_edit_refuses_others_and_bad_text_and_keeps_the_comment(app):
    comment = _comment()
    with pytest.raises(PermissionDenied):
        comments.edit_comment(make_user(reputation=5000), comment.id, "Not my comment at all")
    with pytest.raises(ValidationError):
        comments.edit_comment(comment.author, comment.id, "x")
    with pytest.raises(NotFound):
        comments.edit_comment(comment.author, 999999, "Some other text here")
    assert db.session.get(Comment, comment.id).body == "The first version of my comment"


def test_delete_and_restore_by_a_moderator(app):
    comment, moderator = _comment(), make_user(role="moderator")
    comments.delete_comment(moderator, comment.id, "spam")
    assert db.session.get(Comment, comment.id).deleted_at is not None
    page = threads.thread_page(comment.post.thread_id, make_user())
    assert page.comments.get(comment.post_id, []) == []
    with pytest.raises(NotFound):
        comments.get_comment(comment.id, comment.author)
    with pytest.raises(NotFound):  # a deleted comment is not there for others
        comments.restore_comment(make_user(role="user"), comment.id)
    comments.restore_comment(moderator, comment.id, "was fine")
    assert db.session.get(Comment, comment.id).deleted_at is None
    assert _actions() == ["delete", "restore"]
    with pytest.raises(Conflict):
        comments.restore_comment(moderator, comment.id)


def test_author_deletes_own_comment_but_not_others(app):
    comment = _comment()
    with pytest.raises(PermissionDenied):
        comments.delete_comment(make_user(), comment.id)
    comments.delete_comment(comment.author, comment.id)
    assert db.session.get(Comment, comment.id).deleted_at is not None
    assert _actions() == []
