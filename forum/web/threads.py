"""Threads: asking, the thread page, answering, accepting, Markdown preview."""
from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..errors import Conflict, NotFound, PrivilegeRequired, RateLimited, ValidationError
from ..extensions import limiter
from ..models import Thread
from ..permissions import require
from ..services import boards, inputs, search, threads, views
from ..services.preview import preview as render_preview
from . import acting_user, thread_bodies
from .lazy_csrf import placeholder_tokens
from .templating import thread_url

bp = Blueprint("threads", __name__)

# Other packages' parts of the thread page (moderation's tools and banners): each is
# called with (page, viewer) and returns more template context.
_PAGE_PARTS: list = []


def extend_page(part) -> None:
    """Add a part to the thread page: `part(page, viewer)` returns template context."""
    _PAGE_PARTS.append(part)


def _render_body(page, viewer, **context) -> thread_bodies.Body:
    """The page inside the layout, its forms on placeholder tokens."""
    for part in _PAGE_PARTS:
        context.update(part(page, viewer))
    with placeholder_tokens():
        html = render_template("threads/_body.html", page=page, thread=page.thread, **context)
    return thread_bodies.Body(page.thread.slug, page.thread.title, html)


def _in_layout(body: thread_bodies.Body) -> str:
    return render_template("threads/show.html", title=body.title,
                           body=thread_bodies.html(body))


def _render_page(page, viewer, **context) -> str:
    return _in_layout(_render_body(page, viewer, **context))


def board_choices(all_boards) -> list[tuple[str, str]]:
    """(slug, label) pairs for the board select, sub-boards after their parent."""
    top = [b for b in all_boards if b.parent_id is None]
    choices = []
    for parent in top:
        choices.append((parent.slug, parent.name))
        choices.extend((b.slug, f"{parent.name} › {b.name}")
                       for b in all_boards if b.parent_id == parent.id)
    return choices


@bp.route("/ask", methods=["GET", "POST"])
@bp.route("/b/<board_slug>/ask", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def ask(board_slug=None):
    """Ask a question on a board."""
    user = acting_user()
    require(user, "ask")
    choices = board_choices(boards.list_boards())
    if board_slug is not None and board_slug not in {slug for slug, _label in choices}:
        raise NotFound("No such board.")
    if request.method == "GET":
        form = {"board": board_slug or request.args.get("board", "")}
        return render_template("threads/ask.html", form=form, choices=choices)
    form = request.form
    try:
        thread = threads.ask_question(
            user, form.get("board"), form.get("title"), form.get("body"), form.get("tags"),
        )
    except (ValidationError, Conflict, NotFound, PrivilegeRequired, RateLimited) as error:
        if isinstance(error, NotFound) and not form.get("board"):
            error = ValidationError(_("Choose a board."), fields={"board": "required"})
        elif isinstance(error, NotFound):
            error = ValidationError(error.message, fields={"board": "not found"})
        status = error.status if isinstance(error, (PrivilegeRequired, RateLimited)) else 422
        return render_template("threads/ask.html", form=form, choices=choices,
                               error=error), status, retry_header(error)
    flash_posted(thread, _("Your question is posted."))
    return redirect(thread_url(thread))


@bp.route("/t/<int:thread_id>", defaults={"slug": None})
@bp.route("/t/<int:thread_id>/<slug>")
def show(thread_id, slug):
    """The thread page; other spellings of its address, and merged threads, redirect (301)."""
    viewer = acting_user()
    key = thread_bodies.key(thread_id, viewer)
    body = thread_bodies.lookup(key)
    if body is None or body.slug != slug:
        page = threads.page_or_merge_target(thread_id, viewer)
        if isinstance(page, Thread):  # the thread was merged into this one
            return redirect(thread_url(page), code=301)
        if slug != page.thread.slug:
            return redirect(thread_url(page.thread), code=301)
        body = _render_body(page, viewer, related=search.related(viewer, page.thread))
        thread_bodies.store(key, body)
    # Rendered before the view is counted: a due flush commits and would expire the page.
    html = _in_layout(body)
    if request.method == "GET":  # not HEAD
        views.record(thread_id)
    return html


def flash_posted(item, message=None) -> None:
    """Say the item is posted, or politely that it waits for review (held by screening)."""
    if item.hidden_reason == "held":
        flash(_("Thank you! Your post will appear once a moderator has looked at it: our spam "
                "filter asked for a second opinion."), "info")
    elif message:
        flash(message, "success")


def retry_header(error) -> dict:
    """Retry-After for a refusal by the posting limits."""
    return {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else {}


def render_thread_with_error(thread_id, error, **context):
    """The thread page again, with the failed form filled in and the error's status
    (422 for bad input, 429 with Retry-After when the author posts too fast, ...)."""
    viewer = acting_user()
    html = _render_page(threads.thread_page(thread_id, viewer), viewer, **context)
    return html, error.status, retry_header(error)


@bp.route("/t/<int:thread_id>/answer", methods=["POST"])
@limiter.limit("10 per minute")
def answer(thread_id):
    """Post an answer."""
    try:
        post = threads.post_answer(acting_user(), thread_id, request.form.get("body"))
    except (ValidationError, RateLimited) as error:
        return render_thread_with_error(thread_id, error, answer_form=request.form,
                                        answer_error=error)
    flash_posted(post, _("Your answer is posted."))
    return redirect(url_for("posts.permalink", post_id=post.id))


@bp.route("/t/<int:thread_id>/accept", methods=["POST"])
@limiter.limit("30 per minute")
def accept(thread_id):
    """Accept an answer, or un-accept it when it is the accepted one already."""
    user = acting_user()
    answer_id = inputs.integer(request.form.get("answer_id"), "answer_id")
    thread = threads.get_thread(thread_id, user)
    target = None if thread.accepted_answer_id == answer_id else answer_id
    threads.accept_answer(user, thread_id, target)
    flash(_("Answer accepted.") if target else _("Answer no longer accepted."), "success")
    return redirect(url_for("posts.permalink", post_id=answer_id))


@bp.route("/preview", methods=["POST"])
@limiter.limit("40 per minute")
def preview():
    """Markdown preview for the editors, as JSON {html}."""
    return jsonify(html=render_preview(request.form.get("body")))
