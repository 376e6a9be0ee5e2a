"""Small request helpers shared by the page blueprints."""
import re
from urllib.parse import unquote, urlencode, urlsplit

from flask import abort, redirect, request, url_for

from ..errors import Conflict, DomainError, PermissionDenied, ValidationError
from ..services.pagination import page_args

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_MAX_NEXT = 2000


def _is_local_path(url: str) -> bool:
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        return False
    if _CONTROL.search(url):
        return False
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


def is_safe_next(url) -> bool:
    """Whether `url` is a path on this site, safe to redirect to after sign-in.

    Only same-site absolute paths pass. Whatever a browser might read as
    another host does not: `//host`, `/\\host`, `https:host`, schemes,
    control characters, and the same tricks percent-encoded
    (checked again after decoding, up to three layers deep).
    """
    if not isinstance(url, str) or not url or len(url) > _MAX_NEXT:
        return False
    seen = url
    for _ in range(4):
        if not _is_local_path(seen):
            return False
        decoded = unquote(seen)
        if decoded == seen:
            return True
        seen = decoded
    return False  # still changing after several decodings: refuse


def safe_next(url, default: str | None = None) -> str:
    """`url` when it is safe, else `default` (the home page)."""
    return url if is_safe_next(url) else (default or url_for("boards.index"))


def current_path() -> str:
    """The path and query of this request, for a `next=` link back to it."""
    path = request.full_path
    return path[:-1] if path.endswith("?") else path


def login_redirect():
    """Send an anonymous visitor to the sign-in page, coming back here afterwards."""
    if request.method == "GET":
        target = current_path()
    else:
        # After signing in, a POST cannot be replayed: return to the page it came from.
        referrer = urlsplit(request.referrer or "")
        same_site = referrer.netloc == request.host
        target = ""
        if same_site:
            target = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    query = {"next": target} if is_safe_next(target) else {}
    return redirect(url_for("auth.login") + (f"?{urlencode(query)}" if query else ""))


def wants_json() -> bool:
    """Whether the client asked for JSON (the JavaScript on our pages does)."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def page_number() -> int:
    """The ?page= number; a malformed or out-of-range one is a 404."""
    try:
        page, _ = page_args(request.args.get("page"), None)
    except ValidationError:
        abort(404)
    return page


def is_form_error(error: DomainError) -> bool:
    """Whether the error is about what was typed (so the form comes back filled in)."""
    if isinstance(error, (ValidationError, Conflict)):
        return True
    return isinstance(error, PermissionDenied) and bool(error.fields)
