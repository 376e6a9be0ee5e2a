"""Moderation's part of the JSON API v1 (API.md, "Moderation"): routes on forum's API
blueprint, so they share its bearer-token auth, JSON errors and OpenAPI document."""

# The modules add their routes to forum.api.bp and their paths to its OpenAPI document.
from . import flags, openapi, thread_actions, users  # noqa: F401
