"""The admin page for blocked words and domains."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from forum.errors import Conflict, ValidationError
from forum.web import acting_user

from ..services import screening_terms
from . import bp


@bp.route("/moderation/screening", methods=["GET", "POST"])
def screening_terms_page():
    """List the blocked words and domains; add one (the form comes back filled in on error)."""
    user = acting_user()
    if request.method == "POST":
        try:
            term = screening_terms.add_term(user, request.form.get("kind"),
                                            request.form.get("value"))
        except (ValidationError, Conflict) as error:
            terms = screening_terms.list_terms(user)
            return render_template("moderation/screening.html", terms=terms, form=request.form,
                                   error=error), error.status
        flash(_("“%(value)s” is blocked now.", value=term.value), "success")
        return redirect(url_for("moderation.screening_terms_page"))
    terms = screening_terms.list_terms(user)
    return render_template("moderation/screening.html", terms=terms, form={}, error=None)


@bp.route("/moderation/screening/<int:term_id>/delete", methods=["POST"])
def remove_screening_term(term_id):
    """Stop blocking a word or domain."""
    screening_terms.remove_term(acting_user(), term_id)
    flash(_("Removed from the blocked list."), "success")
    return redirect(url_for("moderation.screening_terms_page"))
