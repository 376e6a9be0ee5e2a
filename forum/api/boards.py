"""Boards over the API: the list, creating one (admins), a board's threads."""
from flask import jsonify

from ..services import boards
from . import bp
from .auth import require_user
from .parsing import json_body, pagination, query_text
from .serializers import board_json, page_json, thread_summary_json


@bp.get("/boards")
def list_boards():
    """The boards in display order."""
    page, per_page = pagination(default_per_page=100)
    return jsonify(page_json(boards.board_page(page, per_page), board_json))


@bp.post("/boards")
def create_board():
    """Create a board (admins); only slug, name, description and parent are read."""
    user = require_user()  # the service reads actor None as the CLI
    data = json_body()
    board = boards.create_board(
        user, data.get("slug"), data.get("name"), data.get("description"), data.get("parent")
    )
    return jsonify(board_json(board)), 201


@bp.get("/boards/<slug>/threads")
def board_threads(slug):
    """One page of a board's threads: `sort` and `tag` as on the board page."""
    page, per_page = pagination()
    sort, tag = query_text("sort", 20), query_text("tag", 35)
    board = boards.get_board(slug)
    result = boards.list_threads(board, sort=sort, tag=tag, page=page, per_page=per_page)
    return jsonify(page_json(result, thread_summary_json))
