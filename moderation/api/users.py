"""POST /api/v1/users/{username}/suspend (moderators), and its OpenAPI description."""
from flask import jsonify

from forum.api import bp, openapi
from forum.api.auth import require_user
from forum.api.openapi_schemas import DATE_TIME, ID, ref, request_object
from forum.api.openapi_schemas import response_object as obj
from forum.api.parsing import json_body
from forum.api.serializers import author_json
from forum.timeutil import isoformat

from ..models import Suspension
from ..services import suspensions


def suspension_json(suspension: Suspension) -> dict:
    """One suspension: whom, until when, why, and by whom."""
    return {
        "id": suspension.id,
        "user": author_json(suspension.user),
        "until": isoformat(suspension.ends_at),
        "reason": suspension.reason,
        "moderator": author_json(suspension.moderator),
        "created_at": isoformat(suspension.starts_at),
    }


@bp.post("/users/<username>/suspend")
def suspend_user(username):
    """Suspend a member until a time, with a reason (replaces a current suspension)."""
    moderator = require_user()
    data = json_body()
    suspension = suspensions.suspend(moderator, username, data.get("until"), data.get("reason"))
    return jsonify(suspension_json(suspension))


_SCHEMAS = {
    "Suspension": obj("A member's suspension: they read and sign in, but cannot post, "
                      "comment, vote or flag until `until`.", {
        "id": ID,
        "user": ref("Author"),
        "until": DATE_TIME,
        "reason": {"type": "string", "description": "Shown to the member."},
        "moderator": ref("Author"),
        "created_at": DATE_TIME,
    }),
    "NewSuspension": request_object("Suspend a member.", {
        "until": {**DATE_TIME, "description": "ISO 8601, in the future; without an offset "
                                              "it is read as UTC."},
        "reason": {"type": "string", "minLength": 1, "maxLength": 500},
    }, ["until", "reason"]),
}


def _paths(op, path_param, _page_params, write_errors) -> dict:
    return {"/users/{username}/suspend": {"post": op(
        "suspendUser", "Suspend a member until a time, with a reason (moderators)", ok=200,
        schema="Suspension", body="NewSuspension",
        params=[path_param("username", {"type": "string"})],
        auth=True, errors=write_errors,
        description="403 for non-moderators, and for a member of the moderator's role or "
                    "above (or themselves); 404 for an unknown member; 422 when `until` is "
                    "not a future date-time or `reason` is missing. A current suspension is "
                    "replaced.")}}


openapi.extend(_paths, _SCHEMAS)
