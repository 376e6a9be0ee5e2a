"""The knowledge base over the API: list and read articles, write drafts, promote, publish,
and "was this helpful?" feedback (anonymous callers are told apart by address and
User-Agent, as they send no cookies)."""
from flask import jsonify

from .. import visitors
from ..services import kb, kb_feedback, kb_promotion, kb_reading
from . import bp
from .auth import api_user, require_user
from .parsing import json_body, optional_json_body, pagination, query_text, require_fields
from .serializers import article_json, feedback_json, page_json


def _article_response(slug, status: int = 200):
    return jsonify(article_json(kb.get_article(slug, api_user()))), status


@bp.get("/kb/articles")
def list_articles():
    """Published articles by title (staff also see drafts and archived), by board and kind."""
    page, per_page = pagination()
    result = kb_reading.list_articles(
        api_user(), query_text("board", 64), query_text("kind", 20), page, per_page
    )
    return jsonify(page_json(result, article_json))


@bp.get("/kb/articles/<slug>")
def get_article(slug):
    """One article, by its slug or a former one."""
    return _article_response(slug)


@bp.post("/kb/articles")
def create_article():
    """Write a draft (staff); only title, body, board and kind are read."""
    user = require_user()
    data = json_body()
    article = kb.create_article(
        user, data.get("title"), data.get("body"), data.get("board"), data.get("kind")
    )
    return _article_response(article.slug, 201)


@bp.post("/posts/<int:post_id>/promote")
def promote_answer(post_id):
    """Turn an answer into a draft article (staff); 409 if it was promoted before."""
    user = require_user()
    data = optional_json_body()
    article = kb_promotion.promote_answer(user, post_id, data.get("title"))
    return _article_response(article.slug, 201)


@bp.post("/kb/articles/<slug>/publish")
def publish_article(slug):
    """Publish a draft (staff)."""
    article = kb.publish_article(require_user(), slug)
    return _article_response(article.slug)


@bp.post("/kb/articles/<slug>/feedback")
def give_feedback(slug):
    """Say whether a published article helped; a repeat replaces the caller's earlier answer."""
    user = api_user()
    data = json_body()
    require_fields(data, "helpful", nullable=False)
    feedback = kb_feedback.give_feedback(
        user, slug, data.get("helpful"), data.get("comment"),
        visitor_id=None if user else visitors.api_visitor_id(),
        client_key=None if user else visitors.client_key(),
    )
    return jsonify(feedback_json(feedback)), 201
