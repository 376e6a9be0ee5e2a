"""Who may do what: roles and reputation privileges, in one place.

`can(user, action, obj)` is a pure function of its arguments and the app's
configured thresholds; `user` is a User or None for an anonymous visitor.
Services call `require(...)` before they change anything; templates call
`can` only to choose which buttons to show.

Reputation privileges unlock with points (defaults below; the app config
`PRIVILEGE_THRESHOLDS` overrides any of them). Moderators, staff and admins
hold every privilege whatever their points. A rule refused only for want of
a privilege returns a falsy `_Needs`, so that `require` can say which
privilege it takes and how far away it is (code `privilege_required`).
"""
from dataclasses import dataclass

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from .errors import PermissionDenied, PrivilegeRequired


@dataclass(frozen=True)
class Privilege:
    """A reputation privilege: its name (in the API), default threshold and wording."""

    name: str
    default: int
    label: object
    description: object


PRIVILEGES = (
    Privilege("vote_up", 15, _l("Vote up"),
              _l("Vote up questions and answers that are useful.")),
    Privilege("flag", 15, _l("Flag posts"),
              _l("Flag spam, rude or off-topic posts for the moderators.")),
    Privilege("comment_everywhere", 50, _l("Comment everywhere"),
              _l("Comment on anyone's posts. You can always comment on your own posts "
                 "and on the answers to your own questions.")),
    Privilege("vote_down", 125, _l("Vote down"),
              _l("Vote down questions and answers that are wrong or unclear. Voting an "
                 "answer down costs you 1 point.")),
    Privilege("create_tags", 150, _l("Create tags"),
              _l("Add new tags to the site when you ask a question.")),
    Privilege("close_reopen", 500, _l("Close and reopen"),
              _l("Cast votes to close or reopen threads.")),
    Privilege("edit_others", 1000, _l("Edit freely"),
              _l("Edit anyone's questions and answers without review.")),
    Privilege("review_queue", 2000, _l("Review queue"),
              _l("Follow the review queue of flagged and held posts; moderators decide.")),
)
PRIVILEGE_NAMES = tuple(p.name for p in PRIVILEGES)
_BY_NAME = {p.name: p for p in PRIVILEGES}

_MESSAGES = {
    "ask": _l("Sign in to ask a question."),
    "answer": _l("You cannot answer this thread."),
    "comment": _l("You cannot comment here."),
    "vote": _l("You cannot vote on this post."),
    "vote_up": _l("You cannot vote on this post."),
    "vote_down": _l("You cannot vote on this post."),
    "flag": _l("You cannot flag this post."),
    "accept": _l("Only the asker or staff can accept an answer."),
    "edit_post": _l("You cannot edit this post."),
    "delete_post": _l("You cannot delete this post."),
    "restore_post": _l("Only moderators can restore posts."),
    "remove_votes": _l("Only moderators can remove votes."),
    "view_thread": _l("This thread is not available."),
    "create_board": _l("Only administrators can create boards."),
    "view_deflection": _l("Only staff can see these figures."),
    "write_kb": _l("Only staff can write knowledge-base articles."),
    "promote": _l("Only staff can promote an answer to the knowledge base."),
    "view_article": _l("This article is not available."),
    "give_feedback": _l("Feedback is only taken on published articles."),
    "create_tags": _l("You cannot create tags."),
    "close_reopen": _l("You cannot vote to close or reopen this thread."),
    "review_queue": _l("You cannot see the review queue."),
    "view_serial_votes": _l("Only moderators can see the serial-voting report."),
}


# --- thresholds --------------------------------------------------------------------

def thresholds() -> dict[str, int]:
    """Every privilege's threshold: the defaults with the app's overrides."""
    merged = {p.name: p.default for p in PRIVILEGES}
    if has_app_context():
        merged.update(current_app.config.get("PRIVILEGE_THRESHOLDS") or {})
    return merged


def threshold(name: str) -> int:
    """The reputation that unlocks privilege `name`."""
    # Asked for every button of a page: look the one name up rather than merge them all.
    configured = current_app.config.get("PRIVILEGE_THRESHOLDS") if has_app_context() else None
    return configured.get(name, _BY_NAME[name].default) if configured else _BY_NAME[name].default


def check_thresholds(configured) -> None:
    """Raise ValueError for an override naming no privilege or not a whole number."""
    for name, value in (configured or {}).items():
        if name not in _BY_NAME:
            raise ValueError(f"unknown privilege {name!r}; known: {', '.join(PRIVILEGE_NAMES)}")
        if type(value) is not int:
            raise ValueError(f"threshold of {name} must be an integer, not {value!r}")


def get_privilege(name: str) -> Privilege:
    """The privilege called `name`."""
    return _BY_NAME[name]


def has_privilege(user, name: str) -> bool:
    """Whether `user` holds reputation privilege `name` (moderators hold them all)."""
    if user is None:
        return False
    return user.is_moderator or user.shown_reputation >= threshold(name)


class _Needs:
    """A refusal that privilege `name` would lift; falsy like any refusal."""

    __slots__ = ("privilege",)

    def __init__(self, privilege: str):
        self.privilege = privilege

    def __bool__(self) -> bool:
        return False


def _privilege(user, name: str):
    return True if has_privilege(user, name) else _Needs(name)


# --- the rules ---------------------------------------------------------------------

def _signed_in(user) -> bool:
    return user is not None


def _thread_open_for_posting(thread) -> bool:
    return thread.is_listed and not (thread.is_locked or thread.closed_at)


def _live(post) -> bool:
    return post.is_listed and post.thread.is_listed


def _can_view_thread(user, thread) -> bool:
    """Deleted threads are for moderators; hidden ones also for their author."""
    if thread.is_listed or (user is not None and user.is_moderator):
        return True
    return thread.deleted_at is None and user is not None and thread.author_id == user.id


def _can_answer(user, thread) -> bool:
    return _signed_in(user) and _thread_open_for_posting(thread)


def _can_comment(user, post):
    thread = post.thread
    if not (_signed_in(user) and _live(post) and not thread.is_locked):
        return False
    if post.author_id == user.id or (not post.is_question and thread.author_id == user.id):
        return True  # one's own post, or an answer to one's own question
    return _privilege(user, "comment_everywhere")


def _can_vote(user, post) -> bool:
    """Any vote at all, and withdrawing one: never on one's own or hidden posts."""
    return (
        _signed_in(user)
        and post.author_id != user.id
        and _live(post)
        and not post.thread.is_locked
    )


def _can_vote_up(user, post):
    return _can_vote(user, post) and _privilege(user, "vote_up")


def _can_vote_down(user, post):
    return _can_vote(user, post) and _privilege(user, "vote_down")


def _can_flag(user, post):
    return _signed_in(user) and post.author_id != user.id and _live(post) and _privilege(
        user, "flag"
    )


def _can_accept(user, thread) -> bool:
    if not _signed_in(user) or thread.is_locked or thread.deleted_at:
        return False
    return user.id == thread.author_id or user.is_staff


def _can_edit_post(user, post):
    if not _signed_in(user):
        return False
    if user.is_moderator:
        return True
    if post.deleted_at is not None or post.thread.is_locked:
        return False
    if post.author_id == user.id:
        return True
    if post.thread.deleted_at is not None:
        return False
    return _privilege(user, "edit_others")


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
        and _live(post)
    )
def _can_restore_post(user, post) -> bool:
    return _signed_in(user) and user.is_moderator


def _can_close_reopen(user, thread):
    return _signed_in(user) and thread.deleted_at is None and _privilege(user, "close_reopen")


def is_moderator(user, _obj=None) -> bool:
    """A rule: moderators (and staff and admins) only."""
    return user is not None and user.is_moderator


_RULES = {
    "ask": lambda user, _obj: _signed_in(user),
    "answer": _can_answer,
    "comment": _can_comment,
    "vote": _can_vote,
    "vote_up": _can_vote_up,
    "vote_down": _can_vote_down,
    "flag": _can_flag,
    "accept": _can_accept,
    "edit_post": _can_edit_post,
    "delete_post": _can_delete_post,
    "restore_post": _can_restore_post,
    "remove_votes": is_moderator,
    "view_thread": _can_view_thread,
    "create_board": lambda user, _obj: user is not None and user.is_admin,
    "view_deflection": lambda user, _obj: user is not None and user.is_staff,
    "write_kb": lambda user, _obj: _is_staff(user),
    "promote": _can_promote,
    "view_article": _can_view_article,
    "give_feedback": lambda _user, article: article.status == "published",
    "create_tags": lambda user, _obj: _signed_in(user) and _privilege(user, "create_tags"),
    "close_reopen": _can_close_reopen,
    "review_queue": lambda user, _obj: _signed_in(user) and _privilege(user, "review_queue"),
    "view_serial_votes": is_moderator,
}

# --- comments: their authors and moderators edit and delete them ---------------------

def _can_edit_comment(user, comment) -> bool:
    if not _signed_in(user):
        return False
    if user.is_moderator:
        return True
    return (comment.author_id == user.id and comment.deleted_at is None
            and _live(comment.post) and not comment.post.thread.is_locked)


def _can_flag_comment(user, comment):
    if not (_signed_in(user) and comment.author_id != user.id and comment.is_listed
            and _live(comment.post)):
        return False
    return _privilege(user, "flag")


_RULES.update({
    "edit_comment": _can_edit_comment,
    "delete_comment": lambda user, comment: comment.deleted_at is None and _can_edit_comment(
        user, comment),
    "restore_comment": is_moderator,
    "flag_comment": _can_flag_comment,
})
_MESSAGES.update({
    "edit_comment": _l("You cannot edit this comment."),
    "delete_comment": _l("You cannot delete this comment."),
    "restore_comment": _l("Only moderators can restore comments."),
    "flag_comment": _l("You cannot flag this comment."),
})


# --- support tickets: staff run the desk; a requester sees only their own tickets ----

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

# What /api/v1/me lists besides the reputation privileges: the abilities of a role.
_ROLE_PRIVILEGES = {
    "user": ["ask", "answer", "comment_own", "accept_own", "edit_own"],
    "moderator": ["edit_any", "delete_any", "view_deleted", "restore_any"],
    "staff": ["accept_any", "write_kb", "promote"],
    "admin": ["create_board"],
}
_ROLE_ORDER = ("user", "moderator", "staff", "admin")


def add_rules(rules: dict, messages: dict) -> None:
    """Add named rules (and their refusal messages) from another package, e.g. moderation."""
    _RULES.update(rules)
    _MESSAGES.update(messages)


def can(user, action: str, obj=None) -> bool:
    """Whether `user` (None: anonymous) may do `action` to `obj`."""
    return bool(_allowed(user, action, obj))


def missing_privilege(user, action: str, obj=None) -> Privilege | None:
    """The privilege that would let a signed-in `user` do `action`, when only that is missing."""
    result = _allowed(user, action, obj)
    if isinstance(result, _Needs) and user is not None:
        return _BY_NAME[result.privilege]
    return None


@dataclass(frozen=True)
class Answers:
    """What a user may do to one object: the allowed actions, and for refused ones that a
    privilege would lift, that privilege (what `can` and `missing_privilege` would say)."""

    allowed: frozenset
    needs: dict


def answers_to(user, actions, obj=None) -> Answers:
    """`can` and `missing_privilege` for each of `actions` on `obj`, asked once, so a page
    that shows many items asks its service rather than its template about each button."""
    allowed, needs = set(), {}
    for action in actions:
        result = _allowed(user, action, obj)
        if result:
            allowed.add(action)
        elif isinstance(result, _Needs) and user is not None:
            needs[action] = _BY_NAME[result.privilege]
    return Answers(frozenset(allowed), needs)


def viewer_kind(user) -> tuple:
    """All that the rules and the thread page read of a user apart from their id: role,
    suspension, the privileges held, and the points while commenting everywhere is out
    of reach (the page's comment hint says how far off it is). Users of one kind may do
    the same to anything they had no hand in."""
    if user is None:
        return ("anonymous",)
    held = tuple(name for name in PRIVILEGE_NAMES if has_privilege(user, name))
    points = None if "comment_everywhere" in held else user.shown_reputation
    return (user.role, user.is_suspended, held, points)


def privilege_error(user, name: str, message=None, fields: dict | None = None):
    """The PrivilegeRequired error for `user` lacking privilege `name`."""
    privilege = _BY_NAME[name]
    limit = threshold(name)
    have = user.shown_reputation
    message = message or _l(
        "This needs the “%(privilege)s” privilege: %(threshold)s reputation. "
        "You have %(reputation)s, %(missing)s to go.",
        privilege=privilege.label, threshold=limit, reputation=have,
        missing=max(limit - have, 0),
    )
    return PrivilegeRequired(message, privilege=name, threshold=limit, reputation=have,
                             fields=fields)


# What a suspended user may not do: anything that writes content, votes or flags.
SUSPENDED_ACTIONS = frozenset({
    "ask", "answer", "comment", "vote", "vote_up", "vote_down", "flag", "flag_comment", "accept",
    "edit_post", "delete_post", "edit_comment", "delete_comment", "create_tags", "close_reopen",
    "moderate_thread",
})


def _allowed(user, action: str, obj):
    if user is not None and action in SUSPENDED_ACTIONS and user.is_suspended:
        return False
    return _RULES[action](user, obj)


def suspension_error(user) -> PermissionDenied:
    """The refusal a suspended user gets: why, and until when."""
    return PermissionDenied(
        _l("Your account is suspended until %(until)s UTC: %(reason)s",
           until=user.suspended_until.strftime("%Y-%m-%d %H:%M"), reason=user.suspension_reason),
        code="suspended",
        fields={"suspended_until": user.suspended_until.replace(microsecond=0).isoformat() + "Z"},
    )


def require(user, action: str, obj=None) -> None:
    """Raise PermissionDenied (or PrivilegeRequired) unless `user` may do `action` to `obj`."""
    result = _allowed(user, action, obj)
    if result:
        return
    if user is not None and action in SUSPENDED_ACTIONS and user.is_suspended:
        raise suspension_error(user)
    if user is None and action not in ("view_thread", "view_article", "give_feedback"):
        raise PermissionDenied(_l("Please sign in first."), code="login_required")
    if isinstance(result, _Needs):
        raise privilege_error(user, result.privilege)
    raise PermissionDenied(_MESSAGES[action])


def privileges_of(user) -> list[str]:
    """The names of the privileges `user` holds, for /api/v1/me: role abilities first,
    then the reputation privileges earned (all of them for moderators and up)."""
    roles = _ROLE_ORDER[: _ROLE_ORDER.index(user.role) + 1]
    names = list(_ROLE_PRIVILEGES["user"])
    names.extend(p.name for p in PRIVILEGES if has_privilege(user, p.name))
    for role in roles[1:]:
        names.extend(_ROLE_PRIVILEGES[role])
    return names


@dataclass
class PrivilegeProgress:
    """One privilege as the /privileges page shows it to a user."""

    privilege: Privilege
    threshold: int
    earned: bool
    missing: int
    percent: int


def progress(user) -> list[PrivilegeProgress]:
    """Every privilege with the user's progress towards it (None: anonymous)."""
    rows = []
    have = user.shown_reputation if user is not None else 0
    for privilege in PRIVILEGES:
        limit = threshold(privilege.name)
        earned = has_privilege(user, privilege.name)
        percent = 100 if earned or limit <= 0 else min(100, have * 100 // limit)
        rows.append(PrivilegeProgress(privilege, limit, earned, 0 if earned else limit - have,
                                      percent))
    return rows
