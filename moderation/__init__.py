"""Moderation: flags, review queue, moderator actions, spam screening, audit log.

Built on `forum` (its models, services and permissions). `forum` reaches in
only through `moderation.audit` and `moderation.screening`, and through
`init_app`, which `create_app` calls to register the pages and the API.
"""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register moderation's pages, and its API routes on forum's API blueprint."""
    from . import api, models  # noqa: F401  (API routes on forum's blueprint; the tables)
    from .web import bp

    app.register_blueprint(bp)
