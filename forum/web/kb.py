"""The knowledge base for readers: home, FAQ, product-area lists, articles, feedback."""
from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from .. import visitors
from ..errors import ValidationError
from ..extensions import limiter
from ..services import kb, kb_feedback, kb_reading
from ..services.boards import get_board
from . import acting_user
from .diffs import line_diff
from .helpers import page_number

bp = Blueprint("kb", __name__, url_prefix="/kb")

KIND_TABS = ("article", "tutorial", "faq")


@bp.route("")
def index():
    """The KB home: highlights and each product area's articles."""
    return render_template("kb/index.html", home=kb_reading.kb_home(acting_user()))


@bp.route("/faq")
def faq():
    """Every FAQ entry, by product area, as an accordion."""
    return render_template("kb/faq.html", sections=kb_reading.faq_page())


@bp.route("/b/<board_slug>")
def board(board_slug):
    """One product area's articles, optionally of one kind."""
    area = get_board(board_slug)
    kind = request.args.get("kind") or None
    try:
        articles = kb_reading.list_articles(acting_user(), area.slug, kind, page_number())
    except ValidationError:
        abort(404)
    return render_template("kb/board.html", board=area, articles=articles, kind=kind,
                           kinds=KIND_TABS)


@bp.route("/<slug>")
def article(slug):
    """An article; a former slug redirects, a retired article says so (410)."""
    viewer = acting_user()
    try:
        page = kb_reading.article_page(slug, viewer, visitors.cookie_visitor_id())
    except kb.ArticleRetired as retired:
        html = render_template("kb/retired.html", replacement=retired.replacement)
        return html, 410
    if page.moved:
        return redirect(url_for("kb.article", slug=page.article.slug), code=301)
    change = page.source_change
    source_diff = line_diff(change.old_body, change.new_body) if change else None
    return render_template("kb/article.html", page=page, article=page.article,
                           source_diff=source_diff)


@bp.route("/<slug>/feedback", methods=["POST"])
@limiter.limit("30 per minute")
def feedback(slug):
    """Record "was this helpful?" (and a comment on "no") for the reader or browser."""
    viewer = acting_user()
    answer = request.form.get("helpful")
    helpful = {"yes": True, "no": False}.get(answer, answer)
    visitor = None if viewer else (visitors.cookie_visitor_id() or visitors.new_visitor_id())
    try:
        kb_feedback.give_feedback(
            viewer, slug, helpful, request.form.get("comment"), visitor_id=visitor,
            client_key=None if viewer else visitors.client_key(),
        )
    except ValidationError as error:
        flash(error.message, "error")
    else:
        flash(_("Thank you for your feedback!"), "success")
    response = make_response(redirect(url_for("kb.article", slug=slug, _anchor="feedback")))
    if visitor:
        visitors.remember_visitor(response, visitor)
    return response
