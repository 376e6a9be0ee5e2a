"""Flagging a post or a comment from a page (works without JavaScript)."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from forum.errors import Conflict, ValidationError
from forum.web import acting_user

from ..services import flags
from . import bp


@bp.route("/p/<int:post_id>/flag", methods=["GET", "POST"])
def flag_post(post_id):
    """The flag form for a post, and flagging it."""
    return _flag("post", post_id, flags.flag_post)


@bp.route("/c/<int:comment_id>/flag", methods=["GET", "POST"])
def flag_comment(comment_id):
    """The flag form for a comment, and flagging it."""
    return _flag("comment", comment_id, flags.flag_comment)


def _flag(kind: str, item_id: int, service):
    user = acting_user()
    item = flags.flaggable(user, kind, item_id)
    form = request.form
    if request.method == "GET":
        return render_template("moderation/flag.html", kind=kind, item=item, form={})
    try:
        service(user, item_id, form.get("reason"), form.get("note"), form.get("duplicate_of"))
    except (ValidationError, Conflict) as error:
        return render_template("moderation/flag.html", kind=kind, item=item, form=form,
                               error=error), error.status
    flash(_("Thank you. The moderators will look at it."), "success")
    post_id = item.id if kind == "post" else item.post_id
    anchor = {"comment": item.id} if kind == "comment" else {}
    return redirect(url_for("posts.permalink", post_id=post_id, **anchor))
