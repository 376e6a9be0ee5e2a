"""Anonymous readers: a random browser id in a signed cookie, and a keyed hash of the network.

Used by the KB's "was this helpful?" votes: a browser votes once by its
random id (never by its address alone, which a whole office may share);
the address only enters as an HMAC, which rate-limits anonymous feedback
without storing the address itself.
"""
import hashlib
import hmac
import ipaddress
import secrets

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "askdesk_visitor"
COOKIE_MAX_AGE = 365 * 24 * 3600


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="askdesk-visitor")


def _keyed(text: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:40]


def cookie_visitor_id() -> str | None:
    """The browser's id from its signed cookie, or None (absent or tampered with)."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def new_visitor_id() -> str:
    """A fresh random browser id."""
    return secrets.token_urlsafe(18)


def remember_visitor(response, visitor_id: str) -> None:
    """Store the browser id in its signed cookie on `response`."""
    response.set_cookie(
        COOKIE, _serializer().dumps(visitor_id), max_age=COOKIE_MAX_AGE, httponly=True,
        samesite="Lax", secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )


def client_key() -> str:
    """A keyed hash of the caller's network (an IPv6 client's /64), for rate limits."""
    address = request.remote_addr or ""
    try:
        ip = ipaddress.ip_address(address)
        if ip.version == 6:
            address = str(ipaddress.ip_network(f"{address}/64", strict=False))
    except ValueError:
        pass
    return _keyed(f"net|{address}")


def api_visitor_id() -> str:
    """The id of an anonymous API client, which has no cookies: its address and User-Agent."""
    agent = request.headers.get("User-Agent", "")[:300]
    return "api-" + _keyed(f"api|{request.remote_addr or ''}|{agent}")
