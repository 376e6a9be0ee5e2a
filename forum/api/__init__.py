"""The JSON API v1 (see shared API.md): bearer tokens, JSON errors, no cookies."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
