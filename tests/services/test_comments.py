import pytest

from forum.errors import NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.services import comments, threads
from tests.factories import make_answer, make_thread, make_user
from tests.html_safety import unsafe_parts


def test_replies_nest_under_their_parent(app):
    answer = make_answer(make_thread())
    a = comments.add_comment(make_user(), answer.id, "Did you try channel 44?")
    b = comments.add_comment(make_user(), answer.id, "Yes, that fixed it.", a.id)
    c = comments.add_comment(make_user(), answer.id, "Good to hear!", b.id)
    d = comments.add_comment(make_user(), answer.id, "Another top-level note.")
    tree = threads.thread_page(answer.thread_id, None).comments[answer.id]
    assert [n.comment.id for n in tree] == [a.id, d.id]
    assert tree[0].replies[0].comment.id == b.id
    assert tree[0].replies[0].replies[0].comment.id == c.id


def test_reply_to_comment_of_other_post_refused(app):
    thread = make_thread()
    first, second = make_answer(thread), make_answer(thread)
    parent = comments.add_comment(make_user(), first.id, "On the first answer.")
    with pytest.raises(NotFound):
        comments.add_comment(make_user(), second.id, "Wrong parent.", parent.id)


@pytest.mark.parametrize("body", ["", "x", "x" * 2001, None, 42, {"a": 1}])
def test_comment_length_and_type_checked(app, body):
    answer = make_answer(make_thread())
    with pytest.raises(ValidationError):
        comments.add_comment(make_user(), answer.id, body)


def test_comment_anonymous_or_locked_refused(app):
    thread = make_thread()
    with pytest.raises(PermissionDenied):
        comments.add_comment(None, thread.question.id, "Anonymous comment.")
    thread.is_locked = True
    db.session.commit()
    with pytest.raises(PermissionDenied):
        comments.add_comment(make_user(), thread.question.id, "Locked thread comment.")


def test_comment_is_rendered_and_sanitised(app):
    thread = make_thread()
    comment = comments.add_comment(make_user(), thread.question.id, "**bold** <b onclick=x>hi</b>")
    assert comment.body_html.startswith("<p><strong>bold</strong>")
    assert unsafe_parts(comment.body_html) == []
