"""Editing, deleting and restoring a comment (its author, or a moderator)."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from forum.errors import ValidationError
from forum.services import comments
from forum.web import acting_user

from . import bp


def _back_to(comment):
    return redirect(url_for("posts.permalink", post_id=comment.post_id, comment=comment.id))


@bp.route("/c/<int:comment_id>/edit", methods=["GET", "POST"])
def edit_comment(comment_id):
    """Edit a comment; the earlier text is kept and listed below the form."""
    user = acting_user()
    if request.method == "GET":
        comment = comments.comment_for_edit(user, comment_id)
        return _edit_page(comment, {"body": comment.body, "reason": ""})
    try:
        comment = comments.edit_comment(user, comment_id, request.form.get("body"),
                                        request.form.get("reason"))
    except ValidationError as error:
        return _edit_page(comments.comment_for_edit(user, comment_id), request.form, error), 422
    flash(_("The comment is saved."), "success")
    return _back_to(comment)


def _edit_page(comment, form, error=None):
    return render_template("moderation/comment_edit.html", comment=comment, form=form,
                           error=error,
                           revisions=comments.comment_revisions(comment.id, acting_user()))


@bp.route("/c/<int:comment_id>/delete", methods=["POST"])
def delete_comment(comment_id):
    """Delete a comment (soft: moderators still see and can restore it)."""
    comment = comments.delete_comment(acting_user(), comment_id, request.form.get("reason"))
    flash(_("The comment was deleted."), "success")
    return _back_to(comment)


@bp.route("/c/<int:comment_id>/restore", methods=["POST"])
def restore_comment(comment_id):
    """Bring a deleted comment back (moderators)."""
    comment = comments.restore_comment(acting_user(), comment_id, request.form.get("reason"))
    flash(_("The comment is restored."), "success")
    return _back_to(comment)
