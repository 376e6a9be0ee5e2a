"""User profiles."""
from flask import Blueprint, render_template, request

from ..errors import NotFound, ValidationError
from ..services import profiles

bp = Blueprint("users", __name__)


@bp.route("/u/<username>")
def profile(username):
    """A user's reputation, role, counts and their questions or answers."""
    try:
        page = profiles.profile_page(username, request.args.get("tab"), request.args.get("page"))
    except ValidationError:
        raise NotFound("No such page.")
    return render_template("users/profile.html", profile=page, user=page.user)
