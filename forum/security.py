"""HTTP security headers on every response."""
from flask import Flask

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' https: http: data:; style-src 'self'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'; frame-src https://www.youtube-nocookie.com https://player.vimeo.com"
)


def init_app(app: Flask) -> None:
    _trust_proxies(app)

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response


def _trust_proxies(app: Flask) -> None:
    """Behind PROXY_COUNT proxies (nginx, a load balancer), take the client's address,
    scheme and host from their X-Forwarded-* headers: rate limits and the audit log then
    see the visitor, not the proxy. Without proxies those headers are ignored, since
    anyone can send them."""
    count = app.config.get("PROXY_COUNT", 0)
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
