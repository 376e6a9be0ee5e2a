"""Accounts: register, sign in and out, password reset, settings."""
from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import refresh as refresh_locale
from flask_login import login_user, logout_user

from ..errors import Conflict, PermissionDenied, ValidationError
from ..extensions import limiter
from ..services import accounts
from . import acting_user
from .helpers import is_form_error, login_redirect, safe_next

bp = Blueprint("auth", __name__)

LOCALE_CHOICES = ("", "en", "de")


def _login_key() -> str:
    """Rate-limit key for failed sign-ins: the account name as typed, lower-cased."""
    return "login:" + (request.form.get("login") or "").strip().lower()[:254]


def _login_failed(_response) -> bool:
    return bool(g.get("login_failed"))


def _mismatch(field: str) -> ValidationError:
    return ValidationError(_("The two passwords do not match."), fields={field: "mismatch"})


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def register():
    """Create an account and sign in."""
    form = request.form
    if request.method == "POST":
        try:
            if form.get("password", "") != form.get("password_confirm", ""):
                raise _mismatch("password_confirm")
            user = accounts.register(form.get("username"), form.get("email"), form.get("password"))
        except (ValidationError, PermissionDenied, Conflict) as error:
            if not is_form_error(error):
                raise
            return render_template("auth/register.html", form=form, error=error), 422
        login_user(user)
        flash(_("Welcome to %(site)s, %(name)s!", site=current_app.config["SITE_NAME"],
                name=user.username), "success")
        return redirect(safe_next(form.get("next")))
    return render_template("auth/register.html", form={"next": request.args.get("next", "")})


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per 15 minutes", methods=["POST"], deduct_when=_login_failed)
@limiter.limit("5 per 15 minutes", methods=["POST"], key_func=_login_key,
               deduct_when=_login_failed)
def login():
    """Sign in with a username or email and a password."""
    if request.method == "GET":
        next_url = request.args.get("next", "")
        if acting_user() is not None:
            return redirect(safe_next(next_url))
        return render_template("auth/login.html", form={"next": next_url})
    form = request.form
    g.login_failed = False
    user = accounts.authenticate(form.get("login"), form.get("password"))
    if user is None:
        g.login_failed = True
        error = ValidationError(accounts.LOGIN_FAILED, fields={"login": "", "password": ""})
        return render_template("auth/login.html", form=form, error=error), 422
    login_user(user, remember=bool(form.get("remember")))
    flash(_("Signed in as %(name)s.", name=user.username), "success")
    return redirect(safe_next(form.get("next")))


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (a POST, so that no link or image can do it)."""
    logout_user()
    flash(_("You are signed out."), "success")
    return redirect(url_for("boards.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"])
def forgot_password():
    """Ask for a reset link; the answer never says whether the address exists."""
    if request.method == "GET":
        return render_template("auth/forgot.html", form={})
    accounts.request_password_reset(request.form.get("email"), _reset_url)
    return render_template("auth/forgot_sent.html")


def _reset_url(token: str) -> str:
    # Built from the configured site address, never from the request's Host header.
    return current_app.config["SITE_URL"] + url_for("auth.reset_password", token=token)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
def reset_password(token):
    """Choose a new password with the emailed link."""
    form = request.form
    try:
        if request.method == "GET":
            user = accounts.user_for_reset_token(token)
            return render_template("auth/reset.html", token=token, user=user, form={})
        if form.get("password", "") != form.get("password_confirm", ""):
            accounts.user_for_reset_token(token)  # a dead link says so before a typo does
            raise _mismatch("password_confirm")
        accounts.reset_password(token, form.get("password"))
    except ValidationError as error:
        if error.code == "invalid_token":
            return render_template("auth/reset_invalid.html", error=error), 400
        return render_template("auth/reset.html", token=token, form=form, error=error), 422
    flash(_("Your password was changed. Please sign in with the new one."), "success")
    return redirect(url_for("auth.login"))


# --- settings ---------------------------------------------------------------------

def _settings(section: str | None = None, error=None, form=None, status: int = 200):
    return render_template(
        "auth/settings.html", section=section, error=error, form=form or {},
        locale_choices=LOCALE_CHOICES,
    ), status


@bp.route("/settings")
def settings():
    """The account settings page."""
    if acting_user() is None:
        return login_redirect()
    return _settings()


@bp.route("/settings/password", methods=["POST"])
@limiter.limit("10 per 15 minutes")
def change_password():
    """Change the password; this session stays signed in, all others end."""
    user = acting_user()
    if user is None:
        return login_redirect()
    form = request.form
    remember = request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME",
                                                          "remember_token")) is not None
    try:
        if form.get("new_password", "") != form.get("new_password_confirm", ""):
            raise _mismatch("new_password_confirm")
        accounts.change_password(user, form.get("current_password"), form.get("new_password"))
    except (ValidationError, PermissionDenied) as error:
        if not is_form_error(error):
            raise
        return _settings("password", error, form, 422)
    login_user(user, remember=remember)  # the session id carries the new salt
    flash(_("Your password was changed. Other sessions were signed out."), "success")
    return redirect(url_for("auth.settings"))


@bp.route("/settings/email", methods=["POST"])
@limiter.limit("10 per 15 minutes")
def change_email():
    """Change the account's email address."""
    user = acting_user()
    if user is None:
        return login_redirect()
    form = request.form
    try:
        accounts.change_email(user, form.get("password"), form.get("email"))
    except (ValidationError, PermissionDenied, Conflict) as error:
        if not is_form_error(error):
            raise
        return _settings("email", error, form, 422)
    flash(_("Your email address was changed."), "success")
    return redirect(url_for("auth.settings"))


@bp.route("/settings/language", methods=["POST"])
def change_language():
    """Choose the interface language (empty: follow the browser)."""
    user = acting_user()
    if user is None:
        return login_redirect()
    try:
        accounts.set_locale(user, request.form.get("locale") or None)
    except ValidationError as error:
        return _settings("language", error, request.form, 422)
    refresh_locale()  # so that the confirmation is already in the new language
    flash(_("Your language setting was saved."), "success")
    return redirect(url_for("auth.settings"))
