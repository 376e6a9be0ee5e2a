"""Actions on one post: permalink, vote, comment, edit, delete, history."""
from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..errors import RateLimited, ValidationError
from ..extensions import limiter
from ..services import comments, editing, inputs, threads, votes
from . import acting_user
from .diffs import revision_views
from .helpers import wants_json
from .templating import thread_url
from .threads import flash_posted, render_thread_with_error

bp = Blueprint("posts", __name__)


@bp.route("/p/<int:post_id>")
def permalink(post_id):
    """Redirect to the post (or one of its comments) on its thread page."""
    post = threads.get_post(post_id, acting_user())
    comment = request.args.get("comment", "")
    anchor = f"comment-{comment}" if comment.isdigit() else f"post-{post.id}"
    return redirect(thread_url(post.thread, _anchor=anchor))


@bp.route("/p/<int:post_id>/vote", methods=["POST"])
@limiter.limit("60 per minute")
def vote(post_id):
    """Vote up (1), down (-1) or withdraw (0); JSON for scripts, a redirect otherwise."""
    value = inputs.integer(request.form.get("value"), "value")
    score, my_vote = votes.cast_vote(acting_user(), post_id, value)
    if wants_json():
        return jsonify(score=score, my_vote=my_vote)
    return redirect(url_for("posts.permalink", post_id=post_id))


@bp.route("/p/<int:post_id>/comments", methods=["POST"])
@limiter.limit("20 per minute")
def comment(post_id):
    """Comment on a post, or reply to a comment (parent_id)."""
    user = acting_user()
    form = request.form
    try:
        new = comments.add_comment(user, post_id, form.get("body"), form.get("parent_id") or None)
    except (ValidationError, RateLimited) as error:
        thread_id = threads.get_post(post_id, user).thread_id
        failed = {"post_id": post_id, "parent_id": form.get("parent_id") or "",
                  "body": form.get("body", ""), "error": error}
        return render_thread_with_error(thread_id, error, failed_comment=failed)
    flash_posted(new)
    return redirect(url_for("posts.permalink", post_id=post_id, comment=new.id))


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def edit(post_id):
    """Edit a post (and a question's title); each save is a revision."""
    user = acting_user()
    if request.method == "GET":
        post = editing.post_for_edit(user, post_id)
        form = {"body": post.body, "title": post.thread.title, "edit_summary": ""}
        return render_template("posts/edit.html", post=post, form=form)
    form = request.form
    try:
        post = threads.edit_post(user, post_id, form.get("body"), form.get("title"),
                                 form.get("edit_summary"))
    except ValidationError as error:
        post = editing.post_for_edit(user, post_id)
        return render_template("posts/edit.html", post=post, form=form, error=error), 422
    flash_posted(post, _("Your edit is saved."))
    return redirect(url_for("posts.permalink", post_id=post_id))


@bp.route("/p/<int:post_id>/delete", methods=["POST"])
@limiter.limit("20 per minute")
def delete(post_id):
    """Delete a post (soft: moderators can still see and restore it)."""
    post = threads.delete_post(acting_user(), post_id)
    if post.is_question:
        flash(_("The question was deleted."), "success")
        return redirect(url_for("boards.show", slug=post.thread.board.slug))
    flash(_("The answer was deleted."), "success")
    return redirect(thread_url(post.thread))


@bp.route("/p/<int:post_id>/revisions")
def revisions(post_id):
    """A post's edit history with the differences between versions."""
    rows = threads.revisions(post_id, acting_user())
    return render_template("posts/revisions.html", post_id=post_id, views=revision_views(rows))
