"""The Knowledge base section of API.md: status codes, shapes, visibility, errors."""
import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Article, ArticleFeedback, ReputationEvent
from forum.services import kb, kb_feedback, kb_promotion
from tests.api.helpers import assert_error
from tests.api.test_openapi import _check, _response_schema
from tests.factories import make_answer, make_article, make_board, make_thread, make_user

ARTICLE_FIELDS = {"slug", "title", "body", "body_html", "kind", "board", "status",
                  "source_thread_id", "helpful_yes", "helpful_no", "updated_at"}
NEW = {"title": "Reset the X200 router", "body": "## Steps\n\nHold reset for ten seconds."}


@pytest.fixture
def staff(app):
    return make_user("apistaff", role="staff")


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


# --- reading --------------------------------------------------------------------------

def test_list_published_articles_filtered(api, staff):
    board, other = make_board(), make_board()
    faq = make_article(staff, board, kind="faq", title="Is the router waterproof?")
    make_article(staff, board, title="Reset the router safely")
    make_article(staff, other)
    make_article(staff, board, publish=False)
    body = api.get("/kb/articles").get_json()
    assert body["total"] == 3 and body["page"] == 1 and body["per_page"] == 30
    assert set(body["items"][0]) == ARTICLE_FIELDS
    body = api.get(f"/kb/articles?board={board.slug}&kind=faq").get_json()
    assert [a["slug"] for a in body["items"]] == [faq.slug]
    assert api.get("/kb/articles", user=staff).get_json()["total"] == 4  # with the draft
    assert_error(api.get("/kb/articles?kind=video"), 422, field="kind")
    assert_error(api.get("/kb/articles?board=nope"), 404)
    assert_error(api.get("/kb/articles?per_page=101"), 422, field="per_page")


def test_get_article_by_slug_and_former_slug(api, staff):
    article = make_article(staff, title="Reset the router safely",
                           body="## Steps\n\nUnplug it for ten seconds.")
    kb.edit_article(staff, article.slug, "Reset the X200 router safely", article.body)
    body = api.get("/kb/articles/reset-the-router-safely").get_json()
    assert body["slug"] == "reset-the-x200-router-safely" and body["status"] == "published"
    assert body["body_html"] == (
        '<h2 id="section-steps">Steps</h2>\n<p>Unplug it for ten seconds.</p>\n')
    assert body["updated_at"].endswith("Z") and body["source_thread_id"] is None


@pytest.mark.parametrize("role", [None, "user", "moderator"])
def test_draft_and_archived_are_404_except_for_staff(api, staff, role):
    draft = make_article(staff, publish=False)
    archived = make_article(staff)
    kb.archive_article(staff, archived.slug)
    reader = make_user(role=role) if role else None
    assert_error(api.get(f"/kb/articles/{draft.slug}", user=reader), 404, "not_found")
    assert_error(api.get(f"/kb/articles/{archived.slug}", user=reader), 404, "article_retired")
    assert api.get(f"/kb/articles/{draft.slug}", user=staff).get_json()["status"] == "draft"
    assert api.get(f"/kb/articles/{archived.slug}", user=staff).status_code == 200


@pytest.mark.parametrize("slug", ["nope", "%00", "x" * 300, "%F0%9F%92%A9"])
def test_unknown_article_is_404(api, slug):
    assert_error(api.get(f"/kb/articles/{slug}"), 404)


# --- writing ------------------------------------------------------------------------------

def test_create_draft_201_ignoring_extra_fields(api, staff):
    board = make_board()
    response = api.post("/kb/articles", user=staff, json={
        **NEW, "board": board.slug, "kind": "tutorial", "status": "published",
        "helpful_yes": 99, "author_id": 1, "slug": "chosen"})
    assert response.status_code == 201
    body = response.get_json()
    assert (body["status"], body["kind"], body["board"], body["slug"]) == (
        "draft", "tutorial", board.slug, "reset-the-x200-router")
    assert body["helpful_yes"] == 0


@pytest.mark.parametrize("changes,field", [
    ({"title": "short"}, "title"),
    ({"title": None}, "title"),
    ({"body": ["list"]}, "body"),
    ({"body": "x" * 50_001}, "body"),
    ({"board": None}, "board"),
    ({"board": "nope"}, "board"),
    ({"board": 5}, "board"),
    ({"kind": "video"}, "kind"),
    ({"title": "A title with NUL \x00 in it"}, "title"),
])
def test_create_validation_422(api, staff, changes, field):
    board = make_board()
    response = api.post("/kb/articles", user=staff, json={**NEW, "board": board.slug, **changes})
    assert_error(response, 422, field=field)
    assert _count(Article) == 0


def test_create_needs_staff(api):
    board = make_board()
    data = {**NEW, "board": board.slug}
    assert_error(api.post("/kb/articles", json=data), 401)
    assert_error(api.post("/kb/articles", user=make_user(), json=data), 403)
    assert_error(api.post("/kb/articles", user=make_user(role="moderator"), json=data), 403)
    assert _count(Article) == 0


@pytest.mark.parametrize("raw,content_type,status", [
    ("{", "application/json", 400),
    ("[]", "application/json", 400),
    ("title=x", "application/x-www-form-urlencoded", 400),
])
def test_create_malformed_body_400(api, staff, raw, content_type, status):
    response = api.post("/kb/articles", user=staff, data=raw, content_type=content_type)
    assert_error(response, status)


def test_publish_200_and_permissions(api, staff):
    draft = make_article(staff, publish=False)
    assert_error(api.post(f"/kb/articles/{draft.slug}/publish"), 401)
    assert_error(api.post(f"/kb/articles/{draft.slug}/publish", user=make_user()), 403)
    response = api.post(f"/kb/articles/{draft.slug}/publish", user=staff)
    assert response.status_code == 200 and response.get_json()["status"] == "published"
    assert api.get(f"/kb/articles/{draft.slug}").status_code == 200
    assert_error(api.post("/kb/articles/nope/publish", user=staff), 404)
    assert_error(api.get(f"/kb/articles/{draft.slug}/publish"), 405)


# --- promotion ------------------------------------------------------------------------------

def test_promote_201_then_409(api, staff):
    thread = make_thread(title="Wi-Fi drops every evening at 8 pm")
    answer = make_answer(thread)
    response = api.post(f"/posts/{answer.id}/promote", user=staff)  # no body at all
    assert response.status_code == 201
    body = response.get_json()
    assert (body["status"], body["source_thread_id"], body["title"]) == (
        "draft", thread.id, thread.title)
    assert body["board"] == thread.board.slug and "## Solution" in body["body"]
    error = assert_error(api.post(f"/posts/{answer.id}/promote", user=staff, json={}), 409,
                         "already_promoted")
    assert error["fields"] == {"article_slug": body["slug"]}
    assert _count(Article) == 1
    assert db.session.scalar(select(func.sum(ReputationEvent.amount)).where(
        ReputationEvent.reason == "promoted")) == 25


def test_promote_with_title_and_errors(api, staff):
    thread = make_thread()
    answer = make_answer(thread)
    assert_error(api.post(f"/posts/{answer.id}/promote", user=staff, json={"title": "x"}), 422,
                 field="title")
    assert_error(api.post(f"/posts/{answer.id}/promote", user=staff, data="{",
                          content_type="application/json"), 400)
    assert_error(api.post(f"/posts/{answer.id}/promote", json={}), 401)
    assert_error(api.post(f"/posts/{answer.id}/promote", user=make_user(), json={}), 403)
    assert_error(api.post(f"/posts/{thread.question.id}/promote", user=staff), 403)
    assert_error(api.post("/posts/999999/promote", user=staff), 404)
    assert _count(Article) == 0
    response = api.post(f"/posts/{answer.id}/promote", user=staff,
                        json={"title": "Fix the evening Wi-Fi drops"})
    assert response.get_json()["slug"] == "fix-the-evening-wi-fi-drops"


def test_thread_names_its_promoted_article(api, staff):
    thread = make_thread()
    first, accepted = make_answer(thread), make_answer(thread)
    draft = kb_promotion.promote_answer(staff, first.id)
    assert api.get(f"/threads/{thread.id}").get_json()["kb_article_slug"] is None
    assert api.get(f"/threads/{thread.id}", user=staff).get_json()["kb_article_slug"] == draft.slug
    kb.publish_article(staff, draft.slug)
    assert api.get(f"/threads/{thread.id}").get_json()["kb_article_slug"] == draft.slug
    other = kb_promotion.promote_answer(staff, accepted.id)
    kb.publish_article(staff, other.slug)
    api.post(f"/threads/{thread.id}/accept", user=thread.author, json={"answer_id": accepted.id})
    assert api.get(f"/threads/{thread.id}").get_json()["kb_article_slug"] == other.slug


# --- feedback --------------------------------------------------------------------------------

def test_feedback_201_one_per_user(api, staff):
    article = make_article(staff)
    reader = make_user()
    response = api.post(f"/kb/articles/{article.slug}/feedback", user=reader,
                        json={"helpful": False, "comment": "Step 3 is unclear."})
    assert response.status_code == 201
    assert response.get_json()["helpful"] is False
    assert response.get_json()["comment"] == "Step 3 is unclear."
    api.post(f"/kb/articles/{article.slug}/feedback", user=reader, json={"helpful": True})
    body = api.get(f"/kb/articles/{article.slug}").get_json()
    assert (body["helpful_yes"], body["helpful_no"]) == (1, 0)


def test_anonymous_feedback_once_per_client_and_rate_limited(api, staff, monkeypatch):
    article = make_article(staff)
    url = f"/kb/articles/{article.slug}/feedback"
    api.post(url, json={"helpful": True})
    api.post(url, json={"helpful": True})
    api.post(url, json={"helpful": True}, headers={"User-Agent": "another client"})
    body = api.get(f"/kb/articles/{article.slug}").get_json()
    assert body["helpful_yes"] == 2
    monkeypatch.setattr(kb_feedback, "ANONYMOUS_PER_HOUR", 2)
    response = api.post(url, json={"helpful": True}, headers={"User-Agent": "third client"})
    assert_error(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) > 0
    assert _count(ArticleFeedback) == 2


@pytest.mark.parametrize("data,field", [
    ({}, "helpful"),
    ({"helpful": None}, "helpful"),
    ({"helpful": "yes"}, "helpful"),
    ({"helpful": 1}, "helpful"),
    ({"helpful": True, "comment": "Great"}, "comment"),
    ({"helpful": False, "comment": "x" * 1001}, "comment"),
    ({"helpful": False, "comment": 5}, "comment"),
])
def test_feedback_validation_422(api, staff, data, field):
    article = make_article(staff)
    assert_error(api.post(f"/kb/articles/{article.slug}/feedback", json=data), 422, field=field)
    assert _count(ArticleFeedback) == 0


def test_feedback_on_draft_or_missing_404(api, staff):
    draft = make_article(staff, publish=False)
    assert_error(api.post(f"/kb/articles/{draft.slug}/feedback", json={"helpful": True}), 404)
    assert_error(api.post("/kb/articles/nope/feedback", json={"helpful": True}), 404)
    assert_error(api.post(f"/kb/articles/{draft.slug}/feedback", user=staff,
                          json={"helpful": True}), 403)


# --- the documented shapes ----------------------------------------------------------------------

def test_kb_responses_match_documented_schemas(api, staff):
    spec = api.get("/openapi.json").get_json()
    board = make_board()
    article = make_article(staff, board)
    answer = make_answer(make_thread(board=board))
    calls = [
        ("/kb/articles", "get", 200, api.get("/kb/articles")),
        ("/kb/articles/{slug}", "get", 200, api.get(f"/kb/articles/{article.slug}")),
        ("/kb/articles", "post", 201, api.post("/kb/articles", user=staff,
                                               json={**NEW, "board": board.slug})),
        ("/posts/{post_id}/promote", "post", 201,
         api.post(f"/posts/{answer.id}/promote", user=staff)),
        ("/kb/articles/{slug}/publish", "post", 200,
         api.post("/kb/articles/reset-the-x200-router/publish", user=staff)),
        ("/kb/articles/{slug}/feedback", "post", 201,
         api.post(f"/kb/articles/{article.slug}/feedback", json={"helpful": True})),
    ]
    for path, method, status, response in calls:
        assert response.status_code == status, (path, response.get_json())
        _check(spec, _response_schema(spec, path, method, status), response.get_json(),
               f"{method.upper()} {path}")
    schema = spec["components"]["schemas"]["Article"]
    assert set(schema["properties"]) == set(schema["required"]) == ARTICLE_FIELDS
