"""Every form refuses a POST without its CSRF token, and nothing changes."""
import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Comment, Post, Thread, User, Vote
from tests.factories import PASSWORD, make_answer, make_board, make_thread, make_user
from tests.web.helpers import csrf_token, sign_in

NEW = "another long password 7"


def _snapshot():
    db.session.rollback()
    counts = tuple(db.session.scalar(select(func.count()).select_from(model))
                   for model in (User, Thread, Post, Comment, Vote))
    threads = db.session.execute(select(Thread.id, Thread.accepted_answer_id, Thread.title,
                                        Thread.deleted_at)).all()
    posts = db.session.execute(select(Post.id, Post.body, Post.deleted_at, Post.score)).all()
    users = db.session.execute(select(User.id, User.email, User.password_hash, User.locale,
                                      User.session_salt)).all()
    return counts, sorted(threads), sorted(posts), sorted(users)


FORMS = [
    ("/logout", {}),
    ("/register", {"username": "csrfnew", "email": "csrfnew@example.com",
                   "password": PASSWORD, "password_confirm": PASSWORD}),
    ("/password/forgot", {"email": "owner@example.com"}),
    ("/settings/password", {"current_password": PASSWORD, "new_password": NEW,
                            "new_password_confirm": NEW}),
    ("/settings/email", {"password": PASSWORD, "email": "elsewhere@example.com"}),
    ("/settings/language", {"locale": "de"}),
    ("/ask", {"board": "csrf", "title": "A question without a token", "body": "x" * 40}),
    ("/t/{thread}/answer", {"body": "An answer without any token at all."}),
    ("/t/{thread}/accept", {"answer_id": "{answer}"}),
    ("/p/{answer}/vote", {"value": "1"}),
    ("/p/{answer}/comments", {"body": "A comment without a token."}),
    ("/p/{question}/edit", {"title": "An edited title without token", "body": "y" * 40}),
    ("/p/{question}/delete", {}),
    ("/preview", {"body": "**hi**"}),
]


@pytest.mark.parametrize(("path", "data"), FORMS, ids=[path for path, _ in FORMS])
def test_post_without_csrf_token_is_refused(app, make_app, path, data):
    owner = make_user("owner")
    thread = make_thread(owner, make_board("csrf"))
    answer = make_answer(thread)
    ids = {"thread": thread.id, "answer": answer.id, "question": thread.question.id}
    guarded = make_app(WTF_CSRF_ENABLED=True).test_client()
    assert sign_in(guarded, owner, csrf_token=csrf_token(guarded.get("/login"))).status_code == 302
    before = _snapshot()
    response = guarded.post(path.format(**ids),
                            data={k: v.format(**ids) for k, v in data.items()})
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)
    assert _snapshot() == before
    assert "owner" in guarded.get("/").get_data(as_text=True)  # still signed in
