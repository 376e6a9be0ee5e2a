"""The moderator's page about one member, and its no-JS forms: warn, suspend, lift, note,
delete or restore a spammer."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from forum.errors import Conflict, ValidationError
from forum.web import acting_user

from ..services import spammers, suspensions, warnings
from ..services.member_page import member_page
from . import bp

# Each form: the service it calls, the form fields it passes, and what the flash says.
_ACTIONS = {
    "warn": (warnings.warn, ("message",), lambda: _("The warning is sent.")),
    "suspend": (suspensions.suspend, ("until", "reason"), lambda: _("The member is suspended.")),
    "lift": (suspensions.lift, ("reason",), lambda: _("The suspension is lifted.")),
    "note": (warnings.add_note, ("body",), lambda: _("The note is saved.")),
    "delete-spammer": (spammers.delete_spammer, ("reason",),
                       lambda: _("All of the member's posts, comments and votes are removed.")),
    "restore-spammer": (spammers.restore_spammer, ("reason",),
                        lambda: _("The member's posts, comments and votes are back.")),
}


@bp.route("/moderation/users/<username>")
def user(username):
    """Warnings, suspensions, notes and actions about a member, with the moderator's forms."""
    return render_template("moderation/user.html", page=member_page(acting_user(), username),
                           forms={})


@bp.route("/moderation/users/<username>/<any(" + ", ".join(map(repr, _ACTIONS)) + "):action>",
          methods=["POST"])
def act(username, action):
    """Run one of the forms; on a mistake the page comes back with the form filled in."""
    service, fields, done = _ACTIONS[action]
    values = [request.form.get(name) for name in fields]
    try:
        service(acting_user(), username, *values)
    except (ValidationError, Conflict) as error:
        page = member_page(acting_user(), username)
        forms = {action: {"values": request.form, "error": error}}
        return render_template("moderation/user.html", page=page, forms=forms), error.status
    flash(done(), "success")
    return redirect(url_for("moderation.user", username=username))
