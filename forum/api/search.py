"""Search over the API: GET /search and GET /search/similar (see API.md, Search)."""
from flask import jsonify

from ..extensions import limiter
from ..services import search
from . import bp
from .auth import api_user
from .parsing import pagination, query_text
from .serializers import search_result_json

SIMILAR_LIMIT = "120 per minute"  # the ask page calls it as the title is typed


@bp.get("/search")
def search_documents():
    """Search threads and KB articles: `q` in the search syntax, filters on top."""
    page, per_page = pagination(default_per_page=20)
    found = search.search_page(
        api_user(), query_text("q", search.MAX_QUERY) or "",
        board=query_text("board", 64), doc_type=query_text("type", 10),
        solved=query_text("solved", 5), sort=query_text("sort", 10) or "relevance",
        page=page, per_page=per_page,
    )
    return jsonify({
        "items": [search_result_json(r) for r in found.items],
        "total": found.total,
        "total_exact": found.total_exact,
        "page": found.page,
        "per_page": found.per_page,
        "suggestion": found.suggestion,
    })


@bp.get("/search/similar")
@limiter.limit(SIMILAR_LIMIT)
def similar_documents():
    """Up to 5 threads (solved first) and 5 KB articles like a question's title."""
    found = search.similar(api_user(), query_text("title", 300) or "")
    items = [search_result_json(r) for r in found.items]
    return jsonify({"items": items, "total": len(items)})
