"""The JSON API v1 (see shared API.md): bearer tokens, JSON errors, no cookies."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# The modules register their routes and hooks on `bp`; the order is free.
from . import accounts, auth, boards, errors, kb, openapi, search, threads, tickets  # noqa: E402,F401

auth.init_blueprint(bp)
errors.init_blueprint(bp)
