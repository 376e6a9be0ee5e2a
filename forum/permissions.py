"""Who may do what: roles and (later) reputation privileges, in one place.

`can(user, action, obj)` is a pure function of its arguments; `user` is a
User or None for an anonymous visitor. Services call `require(...)` before
they change anything; templates call `can` only to choose which buttons to
show.
"""
from flask_babel import lazy_gettext as _l

from .errors import PermissionDenied

_MESSAGES = {
    "ask": _l("Sign in to ask a question."),
    "answer": _l("You cannot answer this thread."),
    "comment": _l("You cannot comment here."),
    "vote": _l("You cannot vote on this post."),
    "accept": _l("Only the asker or staff can accept an answer."),
    "edit_post": _l("You cannot edit this post."),
    "delete_post": _l("You cannot delete this post."),
    "view_thread": _l("This thread is not available."),
    "create_board": _l("Only administrators can create boards."),
    "view_deflection": _l("Only staff can see these figures."),
    "write_kb": _l("Only staff can write knowledge-base articles."),
    "promote": _l("Only staff can promote an answer to the knowledge base."),
    "view_article": _l("This article is not available."),
    "give_feedback": _l("Feedback is only taken on published articles."),
}


def _signed_in(user) -> bool:
    return user is not None


def _thread_open_for_posting(thread) -> bool:
    return not (thread.is_locked or thread.deleted_at or thread.closed_at)


def _can_view_thread(user, thread) -> bool:
    return thread.deleted_at is None or (user is not None and user.is_moderator)


def _can_answer(user, thread) -> bool:
    return _signed_in(user) and _thread_open_for_posting(thread)


def _can_comment(user, post) -> bool:
    thread = post.thread
    return (
        _signed_in(user)
        and post.deleted_at is None
        and not thread.is_locked
        and thread.deleted_at is None
    )


def _can_vote(user, post) -> bool:
    return (
        _signed_in(user)
        and post.author_id != user.id
        and post.deleted_at is None
        and not post.thread.is_locked
        and post.thread.deleted_at is None
    )


def _can_accept(user, thread) -> bool:
    if not _signed_in(user) or thread.is_locked or thread.deleted_at:
        return False
    return user.id == thread.author_id or user.is_staff


def _can_edit_post(user, post) -> bool:
    if not _signed_in(user):
        return False
    if user.is_moderator:
        return True
    return post.author_id == user.id and post.deleted_at is None and not post.thread.is_locked


def _can_delete_post(user, post) -> bool:
    if not _signed_in(user) or post.deleted_at:
        return False
    if user.is_moderator:
        return True
    if post.author_id != user.id:
        return False
    if post.is_question:
        return post.thread.answer_count == 0
    return post.thread.accepted_answer_id != post.id


def _is_staff(user) -> bool:
    return user is not None and user.is_staff


def _can_view_article(user, article) -> bool:
    # Drafts and archived articles are for staff; readers get a 404 (or a "retired" page).
    return article.status == "published" or _is_staff(user)


def _can_promote(user, post) -> bool:
    return (
        _is_staff(user)
        and post.kind == "answer"
        and post.deleted_at is None
        and post.thread.deleted_at is None
    )


_RULES = {
    "ask": lambda user, _obj: _signed_in(user),
    "answer": _can_answer,
    "comment": _can_comment,
    "vote": _can_vote,
    "accept": _can_accept,
    "edit_post": _can_edit_post,
    "delete_post": _can_delete_post,
    "view_thread": _can_view_thread,
    "create_board": lambda user, _obj: user is not None and user.is_admin,
    "view_deflection": lambda user, _obj: user is not None and user.is_staff,
    "write_kb": lambda user, _obj: _is_staff(user),
    "promote": _can_promote,
    "view_article": _can_view_article,
    "give_feedback": lambda _user, article: article.status == "published",
}

# --- support tickets: staff run the desk; a requester sees only their own tickets ----

def _is_staff(user) -> bool:
    return user is not None and user.is_staff


def _can_view_ticket(user, ticket) -> bool:
    return user is not None and (user.is_staff or ticket.requester_id == user.id)


def _can_reply_ticket(user, ticket) -> bool:
    # A closed ticket is final; the requester starts a follow-up instead.
    return _can_view_ticket(user, ticket) and not ticket.is_closed


def _can_convert_thread(user, thread) -> bool:
    return _is_staff(user) and thread.deleted_at is None


_TICKET_RULES = {
    "contact_support": lambda user, _obj: _signed_in(user),
    "view_desk": lambda user, _obj: _is_staff(user),
    "view_ticket": _can_view_ticket,
    "reply_ticket": _can_reply_ticket,
    "add_internal_note": lambda user, _ticket: _is_staff(user),
    "update_ticket": lambda user, _ticket: _is_staff(user),
    "convert_thread": _can_convert_thread,
    "post_resolution": lambda user, _ticket: _is_staff(user),
}
_RULES.update(_TICKET_RULES)
_MESSAGES.update({
    "contact_support": _l("Sign in to contact support."),
    "view_desk": _l("Only support staff can see the ticket desk."),
    "view_ticket": _l("This ticket is not available."),
    "reply_ticket": _l("This ticket is closed. Contact support again to open a follow-up."),
    "add_internal_note": _l("Only support staff can add internal notes."),
    "update_ticket": _l("Only support staff can change a ticket."),
    "convert_thread": _l("Only support staff can turn a thread into a ticket."),
    "post_resolution": _l("Only support staff can post a resolution."),
})

# What /api/v1/me lists: the general abilities of a role.
_ROLE_PRIVILEGES = {
    "user": ["ask", "answer", "comment", "vote", "accept_own", "edit_own"],
    "moderator": ["edit_any", "delete_any", "view_deleted"],
    "staff": ["accept_any", "write_kb", "promote"],
    "admin": ["create_board"],
}
_ROLE_ORDER = ("user", "moderator", "staff", "admin")


def can(user, action: str, obj=None) -> bool:
    """Whether `user` (None: anonymous) may do `action` to `obj`."""
    return _RULES[action](user, obj)


def require(user, action: str, obj=None) -> None:
    """Raise PermissionDenied unless `user` may do `action` to `obj`."""
    if not can(user, action, obj):
        if user is None and action not in ("view_thread", "view_article", "give_feedback"):
            raise PermissionDenied(_l("Please sign in first."), code="login_required")
        raise PermissionDenied(_MESSAGES[action])


def privileges_of(user) -> list[str]:
    """The names of the privileges `user` holds, for /api/v1/me."""
    names: list[str] = []
    for role in _ROLE_ORDER[: _ROLE_ORDER.index(user.role) + 1]:
        names.extend(_ROLE_PRIVILEGES[role])
    return names
