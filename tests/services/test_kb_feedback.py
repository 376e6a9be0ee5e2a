""""Was this helpful?": one vote per user or browser, comments, limits, the staff report."""
import pytest
from sqlalchemy import func, select

from forum.errors import NotFound, PermissionDenied, RateLimited, ValidationError
from forum.extensions import db
from forum.models import Article, ArticleFeedback
from forum.services import kb, kb_feedback
from tests.factories import make_article, make_user

VISITOR = "v" * 22


def _counts(article):
    db.session.expire_all()
    row = db.session.get(Article, article.id)
    return row.helpful_yes, row.helpful_no


def test_user_votes_once_and_can_change(app):
    article = make_article()
    reader = make_user()
    kb_feedback.give_feedback(reader, article.slug, True)
    kb_feedback.give_feedback(reader, article.slug, True)
    assert _counts(article) == (1, 0)
    kb_feedback.give_feedback(reader, article.slug, False, "Step 3 is missing.")
    assert _counts(article) == (0, 1)
    feedback = kb_feedback.my_feedback(article, reader)
    assert (feedback.helpful, feedback.comment) == (False, "Step 3 is missing.")
    assert db.session.scalar(select(func.count(ArticleFeedback.id))) == 1


def test_anonymous_browsers_vote_once_each(app):
    article = make_article()
    for visitor in (VISITOR, VISITOR, "w" * 22):
        kb_feedback.give_feedback(None, article.slug, True, visitor_id=visitor, client_key="k1")
    assert _counts(article) == (2, 0)
    assert kb_feedback.my_feedback(article, None, VISITOR).helpful is True
    assert kb_feedback.my_feedback(article, None, "x" * 22) is None
    assert kb_feedback.my_feedback(article, None, "bad id!") is None


def test_user_and_browser_ids_are_separate(app):
    article = make_article()
    reader = make_user()
    kb_feedback.give_feedback(reader, article.slug, True, visitor_id=VISITOR, client_key="k")
    kb_feedback.give_feedback(None, article.slug, False, visitor_id=VISITOR, client_key="k")
    assert _counts(article) == (1, 1)
    stored = db.session.scalar(select(ArticleFeedback).where(ArticleFeedback.user_id == reader.id))
    assert stored.visitor_id is None and stored.client_key is None


@pytest.mark.parametrize("visitor", [None, "", "short", "x" * 65, "bad id with spaces!!", 42])
def test_anonymous_needs_a_well_formed_visitor_id(app, visitor):
    article = make_article()
    with pytest.raises(ValidationError):
        kb_feedback.give_feedback(None, article.slug, True, visitor_id=visitor)
    assert _counts(article) == (0, 0)


def test_anonymous_feedback_is_rate_limited_per_network(app):
    articles = [make_article() for _ in range(3)]
    limit = kb_feedback.ANONYMOUS_PER_HOUR
    for n in range(limit):
        kb_feedback.give_feedback(None, articles[n % 3].slug, True,
                                  visitor_id=f"visitor-{n:012d}", client_key="net-a")
    with pytest.raises(RateLimited) as error:
        kb_feedback.give_feedback(None, articles[0].slug, True,
                                  visitor_id="visitor-new-000000", client_key="net-a")
    assert error.value.retry_after > 0
    # Another network, a signed-in reader, and changing an existing vote still work.
    kb_feedback.give_feedback(None, articles[0].slug, True, visitor_id="visitor-new-000000",
                              client_key="net-b")
    kb_feedback.give_feedback(make_user(), articles[0].slug, True)
    kb_feedback.give_feedback(None, articles[0].slug, False, visitor_id="visitor-000000000000",
                              client_key="net-a")
    total = db.session.scalar(select(func.count(ArticleFeedback.id)))
    assert total == limit + 2


@pytest.mark.parametrize("helpful,comment,field", [
    ("yes", None, "helpful"),
    (1, None, "helpful"),
    (None, None, "helpful"),
    (True, "Great, but...", "comment"),
    (False, "x" * 1001, "comment"),
    (False, ["list"], "comment"),
    (False, "nul\x00", "comment"),
])
def test_bad_feedback_is_rejected(app, helpful, comment, field):
    article = make_article()
    with pytest.raises(ValidationError) as error:
        kb_feedback.give_feedback(make_user(), article.slug, helpful, comment)
    assert field in error.value.fields
    assert _counts(article) == (0, 0)


def test_no_feedback_on_drafts_or_missing(app):
    draft = make_article(publish=False)
    with pytest.raises(NotFound):
        kb_feedback.give_feedback(make_user(), draft.slug, True)
    with pytest.raises(NotFound):
        kb_feedback.give_feedback(None, "missing", True, visitor_id=VISITOR)
    staff = draft.author
    with pytest.raises(PermissionDenied):  # staff can see the draft but not rate it
        kb_feedback.give_feedback(staff, draft.slug, True)


def test_feedback_report_orders_by_helpfulness(app):
    staff = make_user(role="staff")
    good, bad, silent = make_article(staff), make_article(staff), make_article(staff)
    readers = [make_user() for _ in range(3)]
    for reader in readers:
        kb_feedback.give_feedback(reader, good.slug, True)
    kb_feedback.give_feedback(readers[0], bad.slug, False, "Outdated screenshots.")
    kb_feedback.give_feedback(readers[1], bad.slug, True)
    report = kb_feedback.feedback_report(staff)
    assert [a.id for a in report.articles.items] == [bad.id, good.id, silent.id]
    assert [c.comment for c in report.comments] == ["Outdated screenshots."]
    report = kb_feedback.feedback_report(staff, "most_helpful")
    assert [a.id for a in report.articles.items] == [good.id, bad.id, silent.id]
    assert kb_feedback.feedback_report(staff, "most_feedback").articles.items[0].id == good.id
    with pytest.raises(ValidationError):
        kb_feedback.feedback_report(staff, "random")


@pytest.mark.parametrize("role", [None, "user", "moderator"])
def test_feedback_report_is_staff_only(app, role):
    with pytest.raises(PermissionDenied):
        kb_feedback.feedback_report(make_user(role=role) if role else None)


def test_archived_article_takes_no_feedback(app):
    article = make_article()
    kb.archive_article(article.author, article.slug)
    with pytest.raises(kb.ArticleRetired):
        kb_feedback.give_feedback(make_user(), article.slug, True)
