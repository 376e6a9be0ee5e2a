"""Moderation's HTML pages: thin views over `moderation.services`."""
from flask import Blueprint

bp = Blueprint("moderation", __name__)

# The modules add their routes to `bp`.
from . import banners, screening, users  # noqa: E402,F401
