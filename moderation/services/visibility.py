"""Hiding and showing a post or comment: a hidden question hides its thread, and search
follows (the thread is reindexed once the change commits)."""
from forum.models import Comment, Post, Thread
from forum.services.indexing import index_thread
from forum.timeutil import utcnow


def kind_of(item: Post | Comment) -> str:
    """"post" or "comment": the target type of audit rows and flags."""
    return "post" if isinstance(item, Post) else "comment"


def thread_of(item: Post | Comment) -> Thread:
    """The thread a post or comment belongs to."""
    return item.thread if isinstance(item, Post) else item.post.thread


def _targets(item):
    yield item
    if isinstance(item, Post) and item.is_question:
        yield item.thread


def hide(item: Post | Comment, reason: str) -> None:
    """Hide `item` ("flagged" or "held") from everyone but its author and moderators."""
    now = utcnow()
    for target in _targets(item):
        target.hidden_at, target.hidden_reason = now, reason
    index_thread(thread_of(item).id)


def show(item: Post | Comment) -> None:
    """Show a hidden `item` to everyone again."""
    for target in _targets(item):
        target.hidden_at, target.hidden_reason = None, None
    index_thread(thread_of(item).id)
