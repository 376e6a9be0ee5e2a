"""Moderation's objects to the JSON shapes of its API (described in moderation/api/openapi.py)."""
from forum.api.serializers import author_json
from forum.timeutil import isoformat

from ..models import AuditEntry, Flag
from ..services.queue import QueueItem


def flag_json(flag: Flag) -> dict:
    """A flag with its outcome."""
    return {
        "id": flag.id,
        "post_id": flag.post_id,
        "comment_id": flag.comment_id,
        "reason": flag.reason,
        "note": flag.note,
        "duplicate_of_id": flag.duplicate_of_id,
        "status": flag.status,
        "created_at": isoformat(flag.created_at),
        "resolved_at": isoformat(flag.resolved_at),
        "resolution_note": flag.resolution_note,
    }


def queue_item_json(entry: QueueItem) -> dict:
    """A post or comment waiting for a moderator, with its open flags and their flaggers."""
    item = entry.item
    return {
        "type": entry.kind,
        "id": item.id,
        "thread_id": entry.thread.id,
        "post_id": item.id if entry.kind == "post" else item.post_id,
        "author": author_json(item.author),
        "body": item.body,
        "body_html": item.body_html,
        "hidden_reason": item.hidden_reason,
        "since": isoformat(entry.since),
        "flags": [{**flag_json(flag), "user": author_json(flag.user)} for flag in entry.flags],
    }


def audit_entry_json(entry: AuditEntry) -> dict:
    """One audit row; `actor` is null for the system."""
    return {
        "id": entry.id,
        "actor": author_json(entry.actor) if entry.actor is not None else None,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "reason": entry.reason,
        "before": entry.before,
        "after": entry.after,
        "created_at": isoformat(entry.created_at),
    }
