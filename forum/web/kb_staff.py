"""The knowledge base for staff: write with preview, history and restore, workflow, feedback."""
from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..errors import Conflict, ValidationError
from ..extensions import limiter
from ..permissions import require
from ..services import boards, kb, kb_feedback, kb_promotion
from . import acting_user
from .diffs import revision_views
from .helpers import page_number
from .threads import board_choices

bp = Blueprint("kb_staff", __name__, url_prefix="/kb")


def _editor(article=None, form=None, error=None, status=200):
    choices = board_choices(boards.list_boards())
    html = render_template("kb/edit.html", article=article, form=form or {}, error=error,
                           choices=choices)
    return html, status


@bp.route("/new", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def new():
    """Write a new draft article."""
    user = acting_user()
    require(user, "write_kb")
    if request.method == "GET":
        return _editor(form={"board": request.args.get("board", ""), "kind": "article"})
    form = request.form
    try:
        article = kb.create_article(user, form.get("title"), form.get("body"), form.get("board"),
                                    form.get("kind"))
    except ValidationError as error:
        return _editor(form=form, error=error, status=422)
    flash(_("The draft is saved. Publish it when it is ready."), "success")
    return redirect(url_for("kb.article", slug=article.slug))


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def edit(slug):
    """Edit an article; every save is a revision."""
    user = acting_user()
    require(user, "write_kb")
    article = kb.get_article(slug, user)
    if request.method == "GET":
        form = {"title": article.title, "body": article.body, "kind": article.kind,
                "board": article.board.slug}
        return _editor(article, form)
    form = request.form
    try:
        article = kb.edit_article(user, slug, form.get("title"), form.get("body"),
                                  form.get("kind"), form.get("board"), form.get("summary"))
    except ValidationError as error:
        return _editor(article, form, error, 422)
    flash(_("Your changes are saved."), "success")
    return redirect(url_for("kb.article", slug=article.slug))


@bp.route("/<slug>/history")
def history(slug):
    """An article's revisions with the differences between them."""
    article, rows = kb.revisions(slug, acting_user())
    return render_template("kb/history.html", article=article, views=revision_views(rows))


@bp.route("/<slug>/revisions/<int:number>/restore", methods=["POST"])
@limiter.limit("20 per minute")
def restore(slug, number):
    """Make an old revision current again (saved as a new revision)."""
    article = kb.restore_revision(acting_user(), slug, number)
    flash(_("Version %(number)s is the current text again.", number=number), "success")
    return redirect(url_for("kb.article", slug=article.slug))


@bp.route("/<slug>/publish", methods=["POST"])
@limiter.limit("20 per minute")
def publish(slug):
    """Publish the article."""
    article = kb.publish_article(acting_user(), slug)
    flash(_("The article is published."), "success")
    return redirect(url_for("kb.article", slug=article.slug))


@bp.route("/<slug>/archive", methods=["POST"])
@limiter.limit("20 per minute")
def archive(slug):
    """Retire the article, optionally naming the article that replaces it."""
    replacement = (request.form.get("replacement") or "").strip().rstrip("/")
    try:
        # Accept a pasted address as well as a slug.
        article = kb.archive_article(acting_user(), slug, replacement.rsplit("/", 1)[-1])
    except ValidationError as error:
        flash(error.message, "error")
        return redirect(url_for("kb.article", slug=slug))
    flash(_("The article is archived."), "success")
    return redirect(url_for("kb.article", slug=article.slug))


@bp.route("/promote/<int:post_id>", methods=["POST"])
@limiter.limit("20 per minute")
def promote(post_id):
    """Turn an answer into a draft article; an answer promoted before opens its article."""
    try:
        article = kb_promotion.promote_answer(acting_user(), post_id)
    except Conflict as error:
        if error.code != "already_promoted":
            raise
        flash(error.message, "info")
        return redirect(url_for("kb.article", slug=error.fields["article_slug"]))
    flash(_("The answer is now a draft article. Check the title and text, then publish it."),
          "success")
    return redirect(url_for("kb_staff.edit", slug=article.slug))


@bp.route("/<slug>/source-reviewed", methods=["POST"])
@limiter.limit("20 per minute")
def source_reviewed(slug):
    """Dismiss the "source changed" notice once the article has taken the change in."""
    article = kb_promotion.mark_source_reviewed(acting_user(), slug)
    flash(_("Noted: the article is up to date with its source answer."), "success")
    return redirect(url_for("kb.article", slug=article.slug))


@bp.route("/feedback")
def feedback_report():
    """Articles by helpfulness and readers' recent comments (staff)."""
    sort = request.args.get("sort") or "least_helpful"
    report = kb_feedback.feedback_report(acting_user(), sort, page_number())
    return render_template("kb/feedback.html", report=report, sorts=kb_feedback.REPORT_SORTS)


@bp.route("/preview", methods=["POST"])
@limiter.limit("40 per minute")
def preview():
    """Live preview for the article editor, as JSON {html}."""
    html = kb.preview_article(acting_user(), request.form.get("body"), request.form.get("kind"))
    return jsonify(html=html)
