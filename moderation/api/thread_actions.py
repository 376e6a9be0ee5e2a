"""POST /api/v1/threads/{id}/moderate (API.md, Moderation) and restoring a post."""
from flask import jsonify

from forum.api import bp
from forum.api.auth import require_user
from forum.api.openapi import extend
from forum.api.openapi_schemas import ID, request_object
from forum.api.parsing import json_body, optional_json_body
from forum.api.serializers import post_json, thread_json
from forum.services import threads

from ..models import CLOSE_REASONS
from ..services import thread_actions


@bp.post("/threads/<int:thread_id>/moderate")
def moderate_thread(thread_id):
    """Close, reopen, lock, unlock, pin, unpin, move, merge, delete or restore a thread."""
    user = require_user()
    data = json_body()
    thread = thread_actions.moderate(
        user, thread_id, data.get("action"), reason=data.get("reason"), board=data.get("board"),
        duplicate_of=data.get("duplicate_of"), into=data.get("into"),
    )
    return jsonify(thread_json(threads.thread_page(thread.id, user)))


@bp.post("/posts/<int:post_id>/restore")
def restore_post(post_id):
    """Undelete a post (moderators); `reason` (optional) goes to the audit log."""
    user = require_user()
    data = optional_json_body()
    threads.restore_post(user, post_id, reason=thread_actions.note(data.get("reason")))
    view = threads.post_view(post_id, user)
    return jsonify(post_json(view.post, view.comments, view.my_vote))


_MODERATE = request_object("A moderator's action on a thread.", {
    "action": {"type": "string", "enum": list(thread_actions.ACTIONS)},
    "reason": {"type": ["string", "null"], "maxLength": thread_actions.NOTE_MAX, "description": (
        "close: why, one of " + ", ".join(CLOSE_REASONS) + " (required). Other actions: a "
        "note kept in the audit log.")},
    "board": {"type": ["string", "null"], "description": "move: the target board's slug."},
    "duplicate_of": {**ID, "type": ["integer", "null"],
                     "description": "close with reason duplicate: the original thread."},
    "into": {**ID, "type": ["integer", "null"],
             "description": "merge: the thread that receives the answers and comments."},
}, ["action"])
_RESTORE = request_object("Why a post is restored (optional).", {
    "reason": {"type": ["string", "null"], "maxLength": thread_actions.NOTE_MAX},
}, [])


def _paths(op, path_param, _page_params, write_errors):
    thread_id = path_param("thread_id", {"type": "integer", "minimum": 1})
    post_id = path_param("post_id", {"type": "integer", "minimum": 1})
    restore = op("restorePost", "Restore a deleted post (moderators)", ok=200, schema="Post",
                 body="RestorePost", params=[post_id], auth=True,
                 errors=(*write_errors, "409"),
                 description="Restoring the question restores the thread. 409 when the post "
                             "is not deleted.")
    restore["requestBody"]["required"] = False
    return {
        "/threads/{thread_id}/moderate": {"post": op(
            "moderateThread", "A moderator's action on a thread", ok=200, schema="Thread",
            body="ModerateThread", params=[thread_id], auth=True, errors=(*write_errors, "409"),
            description=(
                "Moderators only (403 for others). Each action writes an audit row. merge "
                "moves the answers and comments into `into` and answers with that thread; "
                "the merged thread's address then redirects (301) to it. 409 when the "
                "thread is in that state already (closed, locked, ...) or was merged."))},
        "/posts/{post_id}/restore": {"post": restore},
    }


extend(_paths, {"ModerateThread": _MODERATE, "RestorePost": _RESTORE})
