"""Pages about reputation: privileges, badges, and the serial-voting report."""
from flask import Blueprint, render_template

from ..permissions import progress
from ..services import badges, ledger, reputation
from . import acting_user
from .helpers import page_number

bp = Blueprint("reputation", __name__)


@bp.route("/privileges")
def privileges():
    """What reputation unlocks, how it is earned, and the viewer's progress."""
    viewer = acting_user()
    return render_template(
        "reputation/privileges.html", rows=progress(viewer), rules=reputation.rules(),
    )


@bp.route("/badges")
def badge_index():
    """Every badge and how many people earned it."""
    return render_template("reputation/badges.html", badges=badges.overview())


@bp.route("/badges/<slug>")
def badge(slug):
    """Who earned a badge, newest first."""
    kind = badges.get_badge(slug)
    awards = badges.awards_of(kind, page_number())
    return render_template("reputation/badge.html", badge=kind, awards=awards)


@bp.route("/reputation/serial-votes")
def serial_votes():
    """Votes held back as serial voting (moderators)."""
    report = ledger.serial_voting_report(acting_user(), page_number())
    return render_template("reputation/serial_votes.html", report=report)
