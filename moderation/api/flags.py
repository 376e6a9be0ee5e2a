"""Flags, the review queue and the audit log over the API (API.md, "Moderation")."""
from flask import jsonify, request

from forum.api import bp
from forum.api.auth import require_user
from forum.api.parsing import json_body, pagination, require_fields
from forum.api.serializers import page_json

from ..services import flags, queue
from ..services.audit_log import audit_log
from .serializers import audit_entry_json, flag_json, queue_item_json


@bp.post("/posts/<int:post_id>/flags")
def flag_post(post_id):
    """Flag a post: spam, offensive, off_topic, duplicate (with duplicate_of) or other (note)."""
    user = require_user()
    data = json_body()
    require_fields(data, "reason", nullable=False)
    flag = flags.flag_post(user, post_id, data["reason"], data.get("note"),
                           data.get("duplicate_of"))
    return jsonify(flag_json(flag)), 201


@bp.get("/moderation/queue")
def review_queue():
    """Pending items: posts and comments with open flags, and held ones (moderators)."""
    user = require_user()
    page, per_page = pagination()
    result = queue.moderation_queue(user, page, per_page)
    return jsonify(page_json(result.items, queue_item_json))


@bp.post("/moderation/flags/<int:flag_id>/resolve")
def resolve_flag(flag_id):
    """Accept or decline a pending flag (moderators)."""
    user = require_user()
    data = json_body()
    require_fields(data, "outcome", nullable=False)
    flag = flags.resolve_flag(user, flag_id, data["outcome"], data.get("note"))
    return jsonify(flag_json(flag))


@bp.get("/moderation/log")
def moderation_log():
    """Audit log entries, newest first, filtered by action, actor, target (moderators)."""
    user = require_user()
    page, per_page = pagination(default_per_page=50)
    return jsonify(page_json(audit_log(user, request.args, page, per_page), audit_entry_json))
