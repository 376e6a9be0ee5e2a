import pytest

from forum.errors import NotFound, PermissionDenied, PrivilegeRequired, ValidationError
from forum.extensions import db
from forum.services import comments, threads
from tests.factories import make_answer, make_thread, make_user, make_voter
from tests.html_safety import unsafe_parts


def test_replies_nest_under_their_parent(app):
    answer = make_answer(make_thread())
    a = comments.add_comment(make_voter(), answer.id, "Did you try channel 44?")
    b = comments.add_comment(make_voter(), answer.id, "Yes, that fixed it.", a.id)
    c = comments.add_comment(make_voter(), answer.id, "Good to hear!", b.id)
    d = comments.add_comment(make_voter(), answer.id, "Another top-level note.")
    tree = threads.thread_page(answer.thread_id, None).comments[answer.id]
    assert [n.comment.id for n in tree] == [a.id, d.id]
    assert tree[0].replies[0].comment.id == b.id
    assert tree[0].replies[0].replies[0].comment.id == c.id


def test_reply_to_comment_of_other_post_refused(app):
    thread = make_thread()
    first, second = make_answer(thread), make_answer(thread)
    parent = comments.add_comment(make_voter(), first.id, "On the first answer.")
    with pytest.raises(NotFound):
        comments.add_comment(make_voter(), second.id, "Wrong parent.", parent.id)


@pytest.mark.parametrize("body", ["", "x", "x" * 2001, None, 42, {"a": 1}])
def test_comment_length_and_type_checked(app, body):
    answer = make_answer(make_thread())
    with pytest.raises(ValidationError):
        comments.add_comment(make_voter(), answer.id, body)


def test_comment_anonymous_or_locked_refused(app):
    thread = make_thread()
    with pytest.raises(PermissionDenied):
        comments.add_comment(None, thread.question.id, "Anonymous comment.")
    thread.is_locked = True
    db.session.commit()
    with pytest.raises(PermissionDenied):
        comments.add_comment(make_voter(), thread.question.id, "Locked thread comment.")


def test_comment_is_rendered_and_sanitised(app):
    thread = make_thread()
    comment = comments.add_comment(make_voter(), thread.question.id, "**bold** <b onclick=x>hi</b>")
    assert comment.body_html.startswith("<p><strong>bold</strong>")
    assert unsafe_parts(comment.body_html) == []


def test_new_user_comments_on_own_posts_and_answers_to_own_question(app):
    asker, answerer, newcomer = make_user(), make_user(), make_user()
    thread = make_thread(asker)
    answer = make_answer(thread, answerer)
    comments.add_comment(asker, thread.question.id, "Clarifying my own question.")
    comments.add_comment(asker, answer.id, "Thanks, trying that now.")
    comments.add_comment(answerer, answer.id, "Let me know if it works.")
    with pytest.raises(PrivilegeRequired) as refused:
        comments.add_comment(answerer, thread.question.id, "Which firmware do you run?")
    assert refused.value.fields["privilege"] == "comment_everywhere"
    assert refused.value.fields["threshold"] == "50"
    with pytest.raises(PrivilegeRequired):
        comments.add_comment(newcomer, answer.id, "Me too!")


def test_comment_everywhere_at_50(app):
    answer = make_answer(make_thread())
    with pytest.raises(PrivilegeRequired) as refused:
        comments.add_comment(make_user(reputation=49), answer.id, "Almost there.")
    assert refused.value.fields["missing"] == "1"
    comments.add_comment(make_user(reputation=50), answer.id, "Now I can comment.")
    comments.add_comment(make_user(role="moderator"), answer.id, "Moderators always can.")
