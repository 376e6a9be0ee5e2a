"""User profiles."""
from flask import Blueprint, abort, render_template, request

from ..errors import ValidationError
from ..services import profiles

bp = Blueprint("users", __name__)


@bp.route("/u/<username>")
def profile(username):
    """A user's reputation, role, counts and their questions or answers."""
    try:
        page = profiles.profile_page(username, request.args.get("tab"), request.args.get("page"))
    except ValidationError:
        abort(404)
    return render_template("users/profile.html", profile=page, user=page.user)
