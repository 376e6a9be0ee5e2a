"""The OpenAPI description of moderation's endpoints and shapes (moderation/api/flags.py)."""
from forum.api.openapi import extend
from forum.api.openapi_schemas import (
    DATE_TIME,
    ID,
    NULLABLE_DATE_TIME,
    page_of,
    ref,
    request_object,
)
from forum.api.openapi_schemas import response_object as obj

from ..models import FLAG_REASONS, FLAG_STATUSES
from ..services.audit_log import SYSTEM_ACTOR, TARGET_TYPES
from ..services.flags import OUTCOMES

_NULLABLE_ID = {"type": ["integer", "null"], "minimum": 1}
_FLAG = {
    "id": ID,
    "post_id": {**_NULLABLE_ID, "description": "Set when a post is flagged."},
    "comment_id": {**_NULLABLE_ID, "description": "Set when a comment is flagged."},
    "reason": {"type": "string", "enum": list(FLAG_REASONS)},
    "note": {"type": "string"},
    "duplicate_of_id": {**_NULLABLE_ID, "description": "The original thread (duplicate flags)."},
    "status": {"type": "string", "enum": list(FLAG_STATUSES)},
    "created_at": DATE_TIME,
    "resolved_at": NULLABLE_DATE_TIME,
    "resolution_note": {"type": "string"},
}
_JSON_VALUES = {"type": ["object", "null"], "additionalProperties": True}

SCHEMAS = {
    "Flag": obj("A user's flag on a post or comment, with its outcome.", _FLAG),
    "QueueFlag": obj("An open flag with the user who raised it.",
                     {**_FLAG, "user": ref("Author")}),
    "QueueItem": obj("A post or comment waiting for a moderator.", {
        "type": {"type": "string", "enum": ["post", "comment"]},
        "id": ID,
        "thread_id": ID,
        "post_id": {**ID, "description": "The post itself, or the post a comment is on."},
        "author": ref("Author"),
        "body": {"type": "string"},
        "body_html": {"type": "string"},
        "hidden_reason": {"type": ["string", "null"], "enum": ["flagged", "held", None],
                          "description": "held: by spam screening; flagged: hidden by flags."},
        "since": {**DATE_TIME, "description": "When it first needed a moderator."},
        "flags": {"type": "array", "items": ref("QueueFlag")},
    }),
    "QueueItemList": page_of("QueueItem"),
    "AuditEntry": obj("One moderator, staff, admin or automatic action; never changed.", {
        "id": ID,
        "actor": {"oneOf": [ref("Author"), {"type": "null"}],
                  "description": "null for the system (automatic hides and holds)."},
        "action": {"type": "string"},
        "target_type": {"type": "string", "enum": list(TARGET_TYPES)},
        "target_id": {"type": ["integer", "null"]},
        "reason": {"type": "string"},
        "before": _JSON_VALUES,
        "after": _JSON_VALUES,
        "created_at": DATE_TIME,
    }),
    "AuditEntryList": page_of("AuditEntry"),
    "NewFlag": request_object("Flag a post.", {
        "reason": {"type": "string", "enum": list(FLAG_REASONS)},
        "note": {"type": "string", "maxLength": 500,
                 "description": "Required (10+ characters) for reason other."},
        "duplicate_of": {"type": ["integer", "string"],
                         "description": "Reason duplicate: the original thread's id or link."},
    }, ["reason"]),
    "FlagResolution": request_object("A moderator's decision on a flag.", {
        "outcome": {"type": "string", "enum": list(OUTCOMES)},
        "note": {"type": "string", "maxLength": 500},
    }, ["outcome"]),
}


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


def moderation_paths(op, path_param, page_params, write_errors) -> dict:
    """The flag, queue and log paths, built with openapi.py's operation helper."""
    moderator = {"auth": True, "errors": ("401", "403", "422")}
    log_filters = [
        _query("action", {"type": "string"}, "An action, e.g. auto_hide, flag_accepted."),
        _query("actor", {"type": "string"}, f"A username, or {SYSTEM_ACTOR} for automatic ones."),
        _query("target_type", {"type": "string", "enum": list(TARGET_TYPES)}, "What was acted on."),
        _query("target_id", ID, "Which one."),
    ]
    return {
        "/posts/{post_id}/flags": {"post": op(
            "flagPost", "Flag a post for the moderators", ok=201, schema="Flag", body="NewFlag",
            params=[path_param("post_id", ID)], auth=True, errors=(*write_errors, "409"),
            description="Needs the flag privilege; 409 when the caller already has an open "
                        "flag on the post. Enough flags hide the post until a moderator decides.")},
        "/moderation/queue": {"get": op(
            "getReviewQueue", "Posts and comments waiting for a moderator, oldest first",
            ok=200, schema="QueueItemList", params=page_params, **moderator)},
        "/moderation/flags/{flag_id}/resolve": {"post": op(
            "resolveFlag", "Accept or decline a pending flag (moderators)", ok=200,
            schema="Flag", body="FlagResolution", params=[path_param("flag_id", ID)],
            auth=True, errors=(*write_errors, "409"),
            description="409 when the flag is already resolved.")},
        "/moderation/log": {"get": op(
            "getAuditLog", "Audit log entries, newest first (moderators)", ok=200,
            schema="AuditEntryList", params=[*log_filters, *page_params], **moderator)},
    }


extend(moderation_paths, SCHEMAS)
