"""Promote to KB from the thread page: the button, the draft, the notices both ways."""
import pytest

from forum.extensions import db
from forum.models import Article, ReputationEvent
from forum.services import kb, kb_promotion, threads
from tests.factories import make_answer, make_thread, make_user
from tests.web.helpers import csrf_token, fresh, sign_in, text


@pytest.fixture
def world(app):
    staff = make_user("promoter", role="staff")
    thread = make_thread(title="Wi-Fi drops every evening at 8 pm")
    answer = make_answer(thread, body="Pick a fixed non-DFS channel such as 36.")
    return staff, thread, answer


def _thread_page(client, thread) -> str:
    return text(client.get(f"/t/{thread.id}/{thread.slug}"))


def _article():
    db.session.rollback()
    return db.session.scalar(db.select(Article))


def test_only_staff_see_the_promote_button_on_answers(client, world):
    staff, thread, answer = world
    assert "Promote to KB" not in _thread_page(client, thread)
    sign_in(client, make_user(role="moderator"))
    assert "Promote to KB" not in _thread_page(client, thread)
    sign_in(client, staff)
    page = _thread_page(client, thread)
    assert page.count("Promote to KB") == 1  # the answer, not the question
    assert f'action="/kb/promote/{answer.id}"' in page


def test_promote_creates_draft_and_links_both_ways(client, world):
    staff, thread, answer = world
    sign_in(client, staff)
    response = client.post(f"/kb/promote/{answer.id}")
    article = _article()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/kb/{article.slug}/edit"
    assert (article.status, article.source_post_id) == ("draft", answer.id)
    assert db.session.scalar(db.select(ReputationEvent.amount).where(
        ReputationEvent.reason == "promoted")) == 25
    page = _thread_page(client, thread)
    assert "This answer is now a KB article:" in page and "Open KB article" in page
    article_page = text(client.get(f"/kb/{article.slug}"))
    assert "Based on a community answer by" in article_page
    assert f'/t/{thread.id}/{thread.slug}#post-{answer.id}' in article_page
    client.post("/logout")
    assert "This answer is now a KB article" not in _thread_page(client, thread)  # a draft
    kb.publish_article(staff, article.slug)
    assert "This answer is now a KB article" in _thread_page(client, thread)


def test_promoting_twice_opens_the_existing_article(client, world):
    staff, _thread, answer = world
    sign_in(client, staff)
    client.post(f"/kb/promote/{answer.id}")
    article = _article()
    response = client.post(f"/kb/promote/{answer.id}", follow_redirects=True)
    assert response.request.path == f"/kb/{article.slug}"
    assert "already the knowledge-base article" in text(response)
    assert db.session.scalar(db.select(db.func.count(Article.id))) == 1


@pytest.mark.parametrize("role", ["user", "moderator"])
def test_promote_refused_for_non_staff(client, world, role):
    _staff, thread, answer = world
    assert client.post(f"/kb/promote/{answer.id}").status_code == 302  # sign in first
    sign_in(client, make_user(role=role))
    assert client.post(f"/kb/promote/{answer.id}").status_code == 403
    assert client.post(f"/kb/promote/{thread.question.id}").status_code == 403
    assert client.post("/kb/promote/999999").status_code == 404
    assert _article() is None


def test_source_changed_notice_for_staff_only(client, world):
    staff, _thread, answer = world
    article = kb_promotion.promote_answer(staff, answer.id)
    kb.publish_article(staff, article.slug)
    threads.edit_post(answer.author, answer.id, "Pick a fixed channel: 36, 40, 44 or 48.")
    assert "Source changed since promotion" not in text(client.get(f"/kb/{article.slug}"))
    sign_in(client, staff)
    page = text(client.get(f"/kb/{article.slug}"))
    assert "Source changed since promotion" in page
    assert '<del class="diff-line diff-del">' in page and "44 or 48" in page
    client.post(f"/kb/{article.slug}/source-reviewed")
    assert fresh(Article, article.id).source_revision == 2
    assert "Source changed since promotion" not in text(client.get(f"/kb/{article.slug}"))


def test_promote_refuses_post_without_csrf_token(app, make_app, world):
    staff, _thread, answer = world
    guarded = make_app(WTF_CSRF_ENABLED=True).test_client()
    sign_in(guarded, staff, csrf_token=csrf_token(guarded.get("/login")))
    response = guarded.post(f"/kb/promote/{answer.id}")
    assert response.status_code == 400
    assert _article() is None
