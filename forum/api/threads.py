"""Threads, answers, posts, comments and votes over the API.

Every response is built from the services' read functions (thread_page,
post_view), so a post always comes with its comments and the caller's vote,
whether it was just written or only read. API reads do not count views:
integrations poll, and the view counter is for people reading the page.
"""
from flask import jsonify, url_for

from ..models import Thread
from ..services import comments, threads, votes
from . import bp
from .auth import api_user, require_user
from .parsing import json_body, pagination, require_fields
from .serializers import (
    comment_json,
    page_json,
    post_json,
    revision_json,
    thread_json,
    vote_json,
)


def _post_response(post_id, status: int = 200):
    view = threads.post_view(post_id, api_user())
    return jsonify(post_json(view.post, view.comments, view.my_vote)), status


def _thread_response(thread_id, status: int = 200):
    return jsonify(thread_json(threads.thread_page(thread_id, api_user()))), status


@bp.post("/threads")
def create_thread():
    """Ask a question; only board, title, body and tags are read."""
    user = require_user()
    data = json_body()
    # A missing board would otherwise read as an unknown one (404).
    require_fields(data, "board", nullable=False)
    thread = threads.ask_question(
        user, data.get("board"), data.get("title"), data.get("body"), data.get("tags")
    )
    return _thread_response(thread.id, 201)


@bp.get("/threads/<int:thread_id>")
def get_thread(thread_id):
    """A thread with its question, answers (accepted first) and comments.

    A thread merged into another answers 301 with the other's address in Location.
    """
    user = api_user()
    page = threads.page_or_merge_target(thread_id, user)
    if isinstance(page, Thread):
        response = jsonify(merged_into=page.id)
        response.status_code = 301
        response.headers["Location"] = url_for("api.get_thread", thread_id=page.id)
        return response
    return jsonify(thread_json(page))


@bp.post("/threads/<int:thread_id>/answers")
def create_answer(thread_id):
    """Answer a thread."""
    user = require_user()
    data = json_body()
    post = threads.post_answer(user, thread_id, data.get("body"))
    return jsonify(post_json(post, [], 0)), 201  # a new post: no comments, no vote yet


@bp.post("/threads/<int:thread_id>/accept")
def accept_answer(thread_id):
    """Accept an answer (`answer_id`), or un-accept with null."""
    user = require_user()
    data = json_body()
    require_fields(data, "answer_id")
    threads.accept_answer(user, thread_id, data["answer_id"])
    return _thread_response(thread_id)


@bp.get("/posts/<int:post_id>")
def get_post(post_id):
    """A post with its comments."""
    return _post_response(post_id)


@bp.patch("/posts/<int:post_id>")
def edit_post(post_id):
    """Edit a post's body (and a question's title); a revision is kept."""
    user = require_user()
    data = json_body()
    threads.edit_post(
        user, post_id, data.get("body"), data.get("title"), data.get("edit_summary")
    )
    return _post_response(post_id)


@bp.delete("/posts/<int:post_id>")
def delete_post(post_id):
    """Soft-delete a post (the question: the whole thread)."""
    threads.delete_post(require_user(), post_id)
    return "", 204


@bp.get("/posts/<int:post_id>/revisions")
def post_revisions(post_id):
    """A post's revisions, oldest first."""
    page, per_page = pagination()
    result = threads.revision_page(post_id, api_user(), page, per_page)
    return jsonify(page_json(result, revision_json))


@bp.post("/posts/<int:post_id>/comments")
def create_comment(post_id):
    """Comment on a post, or reply to a comment with `parent_id`."""
    user = require_user()
    data = json_body()
    comment = comments.add_comment(user, post_id, data.get("body"), data.get("parent_id"))
    return jsonify(comment_json(comment)), 201


@bp.post("/posts/<int:post_id>/vote")
def vote(post_id):
    """Vote a post up (1), down (-1), or withdraw the vote (0)."""
    user = require_user()
    data = json_body()
    score, my_vote = votes.cast_vote(user, post_id, data.get("value"))
    return jsonify(vote_json(score, my_vote))
