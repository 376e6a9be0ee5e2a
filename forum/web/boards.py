"""The home page (all boards) and a board's thread list."""
from flask import Blueprint, abort, render_template, request

from ..errors import ValidationError
from ..services import boards, ledger
from .helpers import page_number

bp = Blueprint("boards", __name__)

SORT_TABS = boards.THREAD_SORTS


@bp.route("/")
def index():
    """All boards, sub-boards under their parent."""
    all_boards = boards.list_boards()
    children: dict[int, list] = {}
    for board in all_boards:
        if board.parent_id is not None:
            children.setdefault(board.parent_id, []).append(board)
    top = [b for b in all_boards if b.parent_id is None]
    return render_template("boards/index.html", boards=top, children=children)


@bp.route("/b/<slug>")
def show(slug):
    """One board's threads: sorted, filtered by tag, paginated."""
    board = boards.get_board(slug)
    sort = request.args.get("sort") or "active"
    tag = (request.args.get("tag") or "").strip().lower() or None
    try:
        threads = boards.list_threads(board, sort=sort, tag=tag, page=page_number())
    except ValidationError:
        abort(404)
    return render_template(
        "boards/show.html", board=board, threads=threads, sort=sort, tag=tag, sorts=SORT_TABS,
        leaders=ledger.leaders(board),
    )
