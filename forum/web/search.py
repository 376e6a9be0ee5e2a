"""The search page, and the ask page's suggestions (JSON for the script, clicks counted)."""
from flask import Blueprint, abort, redirect, render_template, request

from ..errors import ValidationError
from ..extensions import limiter
from ..links import document_path
from ..services import search
from . import acting_user
from .helpers import page_number

bp = Blueprint("search", __name__)

PER_PAGE = 20


@bp.route("/search")
def results():
    """Search threads and KB articles: query syntax, filters, sorting, pages."""
    args = request.args
    try:
        found = search.search_page(
            acting_user(), args.get("q", ""), board=args.get("board"),
            doc_type=args.get("type"), solved=args.get("solved"),
            sort=args.get("sort") or "relevance", page=page_number(), per_page=PER_PAGE,
        )
    except ValidationError as error:
        return render_template("search/results.html", found=None, error=error,
                               q=args.get("q", "")[:500]), 422
    return render_template("search/results.html", found=found, q=found.text, error=None)


@bp.route("/search/suggested/<doc_type>/<int:doc_id>")
@limiter.limit("60 per minute")
def suggested(doc_type, doc_id):
    """Open a suggestion shown while asking, counting the click for the staff figures."""
    try:
        target = search.record_suggestion_click(acting_user(), doc_type, doc_id)
    except ValidationError:
        abort(404)
    return redirect(document_path(doc_type, target))


@bp.route("/search/deflection")
def deflection():
    """Staff: how many suggestions were opened from the ask page."""
    stats = search.deflection_stats(acting_user())
    return render_template("search/deflection.html", stats=stats)
