"""Accounts: registration, sign-in, credentials, roles and API tokens."""
import functools
import hashlib
import re
import secrets

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from moderation import audit

from .. import mail
from ..errors import Conflict, NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..models import ROLES, ApiToken, Post, Thread, User, listed
from ..timeutil import utcnow
from ..transactions import transactional
from . import inputs

USERNAME_RE = re.compile(r"[A-Za-z0-9_.\-]{3,30}")
PASSWORD_MIN = 10
RESET_MAX_AGE = 3600
# Checked against when the login names nobody, so a failed login takes as
# long whether or not the account exists.
LOGIN_FAILED = _l("Wrong username, email or password.")


def _username(value) -> str:
    value = inputs.text(value, "username", min_len=1, max_len=30, label=_l("Username"))
    if not USERNAME_RE.fullmatch(value):
        raise ValidationError(
            _l("Username must be 3-30 letters, digits, '_', '-' or '.'."),
            fields={"username": "3-30 of letters, digits, _ - ."},
        )
    return value


def _email(value) -> str:
    value = inputs.text(value, "email", min_len=1, max_len=254, label=_l("Email"))
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise ValidationError(_l("Enter a valid email address."), fields={"email": "invalid"})
    return result.normalized.lower()


def _password(value, username: str) -> str:
    if not isinstance(value, str) or inputs.lookup(value, 1024) is None:
        raise ValidationError(
            _l("Password must be text of at most 1024 characters."),
            fields={"password": "invalid"},
        )
    if len(value) < PASSWORD_MIN:
        raise ValidationError(
            _l("Password must be at least %(n)s characters.", n=PASSWORD_MIN),
            fields={"password": f"at least {PASSWORD_MIN} characters"},
        )
    if username and username.lower() in value.lower():
        raise ValidationError(
            _l("Password must not contain your username."),
            fields={"password": "contains the username"},
        )
    return value


def _ensure_unique(username: str | None, email: str | None, *, except_id: int | None = None):
    if username:
        clash = db.session.scalar(select(User.id).where(User.username_key == username.lower()))
        if clash and clash != except_id:
            raise Conflict(_l("That username is taken."), fields={"username": "taken"})
    if email:
        clash = db.session.scalar(select(User.id).where(User.email == email))
        if clash and clash != except_id:
            raise Conflict(_l("That email is already registered."), fields={"email": "taken"})


@transactional
def register(username, email, password, *, role: str = "user") -> User:
    """Create an account; `role` is only ever set by the CLI and admins."""
    username = _username(username)
    email = _email(email)
    password = _password(password, username)
    inputs.choice(role, "role", ROLES)
    _ensure_unique(username, email)
    user = User(
        username=username,
        username_key=username.lower(),
        email=email,
        password_hash=_hash(password),
        role=role,
    )
    db.session.add(user)
    db.session.flush()
    return user


@functools.cache
def _dummy_hash(method: str) -> str:
    """A hash to check a password against when no account matches, so that a wrong
    login takes as long either way. Made on first use: at import it cost every process
    90 ms of start-up."""
    return generate_password_hash("askdesk-timing-equaliser", method=method)


def authenticate(login, password) -> User | None:
    """The user whose username or email and password match, else None."""
    login = inputs.lookup(login, 254)
    if login is None or inputs.lookup(password, 1024) is None:
        return None
    key = login.strip().lower()
    user = db.session.scalar(
        select(User).where((User.username_key == key) | (User.email == key))
    )
    if user is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


@transactional
def change_password(user: User, current_password, new_password) -> None:
    """Set a new password after checking the current one; other sessions end."""
    if not isinstance(current_password, str) or not check_password_hash(
        user.password_hash, current_password
    ):
        raise PermissionDenied(
            _l("Your current password is not right."), fields={"current_password": "wrong"}
        )
    _set_password(user, _password(new_password, user.username))


def _hash(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _set_password(user: User, password: str) -> None:
    user.password_hash = _hash(password)
    user.session_salt = secrets.token_hex(8)


@transactional
def change_email(user: User, password, new_email) -> None:
    """Change the account email after checking the password."""
    if not isinstance(password, str) or not check_password_hash(user.password_hash, password):
        raise PermissionDenied(_l("Your password is not right."), fields={"password": "wrong"})
    email = _email(new_email)
    _ensure_unique(None, email, except_id=user.id)
    user.email = email


@transactional
def set_locale(user: User, locale) -> None:
    """Remember the user's language (None follows the browser)."""
    if locale in (None, ""):
        user.locale = None
        return
    user.locale = inputs.choice(locale, "locale", current_app.config["LANGUAGES"])


@transactional
def set_role(username, role) -> User:
    """Give a user a role (CLI and admins)."""
    user = get_user(username)
    before = user.role
    user.role = inputs.choice(role, "role", ROLES)
    if user.role != before:
        audit.record(audit.SYSTEM, "set_role", "user", user.id, reason="command line",
                     before={"role": before}, after={"role": user.role})
    return user


# --- password reset -------------------------------------------------------------

def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _password_fingerprint(user: User) -> str:
    # Part of the token: once the password changes, every older token stops working.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def request_password_reset(email, reset_url_for) -> None:
    """Email a reset link if `email` belongs to an account; say nothing either way."""
    try:
        email = _email(email)
    except ValidationError:
        return
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        return
    token = _reset_serializer().dumps({"u": user.id, "f": _password_fingerprint(user)})
    mail.send(
        to=user.email,
        subject="Reset your Askdesk password",
        text=mail.render_text("password_reset", user=user, url=reset_url_for(token)),
    )


def user_for_reset_token(token) -> User:
    """The user a valid, unused, unexpired reset token belongs to."""
    if not isinstance(token, str) or len(token) > 500:
        raise ValidationError(_l("This reset link is not valid."), code="invalid_token")
    try:
        data = _reset_serializer().loads(token, max_age=RESET_MAX_AGE)
    except SignatureExpired:
        raise ValidationError(_l("This reset link has expired."), code="invalid_token")
    except BadSignature:
        raise ValidationError(_l("This reset link is not valid."), code="invalid_token")
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or data.get("f") != _password_fingerprint(user):
        raise ValidationError(_l("This reset link was already used."), code="invalid_token")
    return user


@transactional
def reset_password(token, new_password) -> User:
    """Set a new password from a reset token; the token is then spent."""
    user = user_for_reset_token(token)
    _set_password(user, _password(new_password, user.username))
    return user


# --- API tokens -----------------------------------------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transactional
def issue_api_token(user: User) -> str:
    """Create a bearer token; only its hash is kept, so it is shown once."""
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token)))
    return token


# Every API request runs this: built once, as building the statement cost as much as
# running it.
_TOKEN_USER = select(User).join(ApiToken, ApiToken.user_id == User.id).where(
    ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None))


def user_for_api_token(token: str) -> User | None:
    """The user of a live token, or None."""
    if not token or len(token) > 200:
        return None
    return db.session.scalar(_TOKEN_USER, {"token_hash": _token_hash(token)})


@transactional
def revoke_api_token(token: str) -> None:
    """Revoke a token (log out from the API)."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row and row.revoked_at is None:
        row.revoked_at = utcnow()


# --- reading --------------------------------------------------------------------

def get_user(username) -> User:
    """The user with this name (any case), or NotFound."""
    username = inputs.lookup(username, 30)
    if username is None:
        raise NotFound(_l("No such user."))
    user = db.session.scalar(select(User).where(User.username_key == username.lower()))
    if user is None:
        raise NotFound(_l("No such user."))
    return user


def user_stats(user: User) -> dict:
    """Answer and accepted-answer counts for a profile."""
    live_answers = select(Post.id).where(
        Post.author_id == user.id, Post.kind == "answer", listed(Post)
    )
    answer_count = db.session.scalar(select(func.count()).select_from(live_answers.subquery()))
    accepted_count = db.session.scalar(
        select(func.count(Thread.id))
        .join(Post, Post.id == Thread.accepted_answer_id)
        .where(Post.author_id == user.id, listed(Post), listed(Thread))
    )
    return {"answer_count": answer_count or 0, "accepted_count": accepted_count or 0}
