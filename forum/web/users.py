"""User profiles and the top helpers."""
from flask import Blueprint, abort, render_template, request

from ..errors import ValidationError
from ..services import boards, ledger, profiles
from ..timeutil import utcnow
from .charts import reputation_chart

bp = Blueprint("users", __name__)


@bp.route("/u/<username>")
def profile(username):
    """A user's reputation, role, counts, badges, and their questions, answers or ledger."""
    try:
        page = profiles.profile_page(username, request.args.get("tab"), request.args.get("page"))
    except ValidationError:
        abort(404)
    chart = None
    if page.history is not None:
        chart = reputation_chart(page.history, page.user.created_at.date(), utcnow().date())
    return render_template("users/profile.html", profile=page, user=page.user, chart=chart)


@bp.route("/users")
def index():
    """The top helpers of the week, the month and all time, everywhere or on one board."""
    all_boards = boards.list_boards()
    slug = request.args.get("board") or None
    board = next((b for b in all_boards if b.slug == slug), None)
    if slug is not None and board is None:
        abort(404)
    leaders = ledger.leaders(board, limit=10)
    return render_template("users/index.html", leaders=leaders, board=board, boards=all_boards)
