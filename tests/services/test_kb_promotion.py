"""Promoting an answer: the draft, attribution, links both ways, reputation, idempotence."""
import pytest
from sqlalchemy import func, select

from forum.errors import Conflict, NotFound, PermissionDenied
from forum.extensions import db
from forum.models import Article, BadgeAward, ReputationEvent, User
from forum.services import kb, kb_promotion, kb_reading, threads
from tests.factories import make_answer, make_thread, make_user


@pytest.fixture
def staff(app):
    return make_user(role="staff")


@pytest.fixture
def answer(app):
    thread = make_thread(title="Wi-Fi drops every evening at 8 pm",
                         body="The 5 GHz band drops every evening.\n\nFirmware 2.4.1.")
    return make_answer(thread, body="Set a fixed non-DFS channel such as 36 or 44.")


def _reputation(user_id):
    db.session.expire_all()
    return db.session.get(User, user_id).reputation


def test_promote_creates_attributed_draft_in_threads_board(staff, answer):
    thread = answer.thread
    before = _reputation(answer.author_id)
    article = kb_promotion.promote_answer(staff, answer.id)
    assert article.status == "draft" and article.kind == "article"
    assert article.title == thread.title and article.board_id == thread.board_id
    assert (article.source_post_id, article.source_thread_id, article.source_revision) == (
        answer.id, thread.id, 1)
    assert article.author_id == staff.id
    assert article.body.startswith("## Problem\n\nThe 5 GHz band drops every evening.")
    assert "## Solution\n\nSet a fixed non-DFS channel" in article.body
    assert [e["text"] for e in article.toc] == ["Problem", "Solution"]
    assert _reputation(answer.author_id) == before + 25
    event = db.session.scalar(select(ReputationEvent).where(ReputationEvent.reason == "promoted"))
    assert (event.amount, event.post_id, event.actor_id) == (25, answer.id, staff.id)


def test_promote_with_own_title(staff, answer):
    article = kb_promotion.promote_answer(staff, answer.id, "Stop 5 GHz Wi-Fi drops")
    assert article.title == "Stop 5 GHz Wi-Fi drops" and article.slug == "stop-5-ghz-wi-fi-drops"


def test_promote_twice_is_conflict_naming_the_article(staff, answer):
    article = kb_promotion.promote_answer(staff, answer.id)
    with pytest.raises(Conflict) as error:
        kb_promotion.promote_answer(make_user(role="admin"), answer.id)
    assert error.value.code == "already_promoted"
    assert error.value.fields == {"article_slug": article.slug}
    assert db.session.scalar(select(func.count(Article.id))) == 1
    assert db.session.scalar(select(func.count(ReputationEvent.id)).where(
        ReputationEvent.reason == "promoted")) == 1


def test_promoting_own_answer_earns_nothing(staff):
    answer = make_answer(make_thread(), staff)
    before = _reputation(staff.id)
    kb_promotion.promote_answer(staff, answer.id)
    assert _reputation(staff.id) == before


@pytest.mark.parametrize("role", [None, "user", "moderator"])
def test_promote_refused_for_non_staff(answer, role):
    with pytest.raises(PermissionDenied):
        kb_promotion.promote_answer(make_user(role=role) if role else None, answer.id)
    assert db.session.scalar(select(func.count(Article.id))) == 0


def test_promote_refuses_question_deleted_and_missing(staff, answer):
    with pytest.raises(PermissionDenied):
        kb_promotion.promote_answer(staff, answer.thread.question.id)
    threads.delete_post(make_user(role="moderator"), answer.id)
    with pytest.raises(PermissionDenied):
        kb_promotion.promote_answer(staff, answer.id)
    with pytest.raises(NotFound):
        kb_promotion.promote_answer(staff, 999_999)
    assert db.session.scalar(select(func.count(Article.id))) == 0


def test_thread_links_to_promoted_article(staff, answer):
    article = kb_promotion.promote_answer(staff, answer.id)
    thread_id = answer.thread_id
    assert threads.thread_page(thread_id, staff).kb_articles == {answer.id: article}
    assert threads.thread_page(thread_id, None).kb_articles == {}  # a draft: staff only
    kb.publish_article(staff, article.slug)
    assert threads.thread_page(thread_id, None).kb_articles[answer.id].id == article.id
    page = kb_reading.article_page(article.slug, None)
    assert page.article.source_thread.id == thread_id
    assert page.article.source_post.author.id == answer.author_id


def test_long_question_is_cut_to_paragraphs_and_code_closed(staff):
    body = "First paragraph.\n\n```\ncode line\n\n" + "more code " * 200 + "\n```"
    thread = make_thread(body=body)
    answer = make_answer(thread)
    article = kb_promotion.promote_answer(staff, answer.id)
    problem = article.body.split("## Solution")[0]
    assert len(problem) < kb_promotion.PROBLEM_MAX + 50
    assert problem.count("```") % 2 == 0
    assert '<h2 id="section-solution">' in article.body_html


def test_source_change_after_answer_edit(staff, answer):
    article = kb_promotion.promote_answer(staff, answer.id)
    assert kb_promotion.source_change(article) is None
    threads.edit_post(answer.author, answer.id, "Set a fixed channel: 36, 40, 44 or 48.")
    change = kb_promotion.source_change(article)
    assert (change.old_number, change.new_number) == (1, 2)
    assert "36 or 44" in change.old_body and "48" in change.new_body
    assert kb_reading.article_page(article.slug, staff).source_change == change
    assert kb_reading.article_page(article.slug, staff).source_change is not None
    kb_promotion.mark_source_reviewed(staff, article.slug)
    assert kb_promotion.source_change(article) is None


def test_source_change_hidden_from_readers(staff, answer):
    article = kb_promotion.promote_answer(staff, answer.id)
    kb.publish_article(staff, article.slug)
    threads.edit_post(answer.author, answer.id, "A changed answer that is long enough.")
    assert kb_reading.article_page(article.slug, None).source_change is None


def test_mark_reviewed_needs_promoted_article_and_staff(staff, answer):
    article = kb_promotion.promote_answer(staff, answer.id)
    with pytest.raises(PermissionDenied):
        kb_promotion.mark_source_reviewed(make_user(), article.slug)
    plain = kb.create_article(staff, "A plain article here", "x" * 40, answer.thread.board.slug)
    with pytest.raises(NotFound):
        kb_promotion.mark_source_reviewed(staff, plain.slug)


def test_promote_awards_the_knowledge_author_badge_once(staff, answer):
    kb_promotion.promote_answer(staff, answer.id)
    with pytest.raises(Conflict):
        kb_promotion.promote_answer(staff, answer.id)
    awards = db.session.scalars(
        select(BadgeAward).where(BadgeAward.user_id == answer.author_id)
    ).all()
    assert [a.badge for a in awards if a.badge == "promoted_to_kb"] == ["promoted_to_kb"]
    assert db.session.scalar(
        select(func.count(ReputationEvent.id)).where(ReputationEvent.reason == "promoted")
    ) == 1
