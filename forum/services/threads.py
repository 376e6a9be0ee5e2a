"""Threads and posts: ask, answer, edit with revisions, accept, delete, read."""
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import (and_, bindparam, func, insert, literal, or_, select, true, union_all,
                        update)
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from moderation import audit, screening
from moderation.models import CloseVote

from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..models import (Article, Board, Comment, Post, PostRevision, Tag, Thread, Ticket, User, Vote,
                      listed)
from ..models.threads import text_hash
from ..permissions import Answers, answers_to, can, privilege_error, require, threshold
from ..rendering import render_markdown
from ..timeutil import utcnow
from ..transactions import transactional
from . import badges, content, inputs, kb, reputation
from .boards import get_board
from .counters import increment
from .indexing import index_thread
from .pagination import Page, paginate


# Every post runs these: built once, and run on the session's connection, past the ORM
# (which would look for the board among the objects it holds, and flush the revision as a
# unit of work: a third of an answer's time inside the write lock).
_TOUCH_THREAD = (update(Thread).where(Thread.id == bindparam("thread"))
                 .values(last_activity_at=bindparam("when"),
                         last_activity_user_id=bindparam("user")))
_TOUCH_BOARD = (update(Board).where(Board.id == bindparam("board"))
                .values(last_activity_at=bindparam("when"), last_thread_id=bindparam("thread")))
_INSERT_REVISION = insert(PostRevision)
_INSERT_POST = insert(Post).returning(Post)  # the ORM's bulk insert: the new post, loaded


def _touch(thread: Thread, user: User, when) -> None:
    """Record activity on a thread (and its board) for the 'active' sort."""
    connection = db.session.connection()
    values = {"thread": thread.id, "board": thread.board_id, "when": when, "user": user.id}
    connection.execute(_TOUCH_THREAD, values)
    connection.execute(_TOUCH_BOARD, values)
    set_committed_value(thread, "last_activity_at", when)
    set_committed_value(thread, "last_activity_user_id", user.id)


def _new_post(thread: Thread, author: User, kind: str, body: str, html: str,
              title=None) -> Post:
    post = db.session.scalar(_INSERT_POST, dict(  # past Post's validators: hashed here
        thread_id=thread.id, author_id=author.id, kind=kind, body=body, body_html=html,
        body_hash=text_hash(body), created_at=utcnow()))
    set_committed_value(post, "thread", thread)
    set_committed_value(post, "author", author)
    db.session.connection().execute(_INSERT_REVISION, dict(
        post_id=post.id, number=1, author_id=author.id, title=title, body=body,
        summary="", created_at=post.created_at,
    ))
    return post


@transactional
def ask_question(author: User, board_slug, title, body, tags=None) -> Thread:
    """Open a thread on a board with its question post."""
    require(author, "ask")
    title = content.title(title)
    body = content.body(body)
    html = render_markdown(body)  # before the first query, so outside SQLite's write lock
    board = get_board(board_slug)
    names = content.tag_names(tags)
    _check_new_tags(author, content.new_tag_names(names))
    verdict = screening.screen(author, body, kind="thread", title=title)
    tag_rows = content.tags_for(names)
    now = utcnow()
    thread = Thread(
        board_id=board.id, author_id=author.id, title=title, slug=content.slugify(title),
        tags=tag_rows, created_at=now, last_activity_at=now, last_activity_user_id=author.id,
    )
    db.session.add(thread)
    db.session.flush()
    question = _new_post(thread, author, "question", body, html, title=title)
    if verdict.held:
        screening.hold(question, verdict.reasons)
    for tag in tag_rows:
        increment(Tag, tag.id, thread_count=1)
    increment(Board, board.id, thread_count=1)
    _touch(thread, author, now)
    index_thread(thread.id)
    badges.award(author.id, "first_question")
    return thread


def _check_new_tags(author: User, new: list[str]) -> None:
    """A tag that does not exist yet is created by asking with it: a privilege."""
    if not new or can(author, "create_tags"):
        return
    listed = ", ".join(new)
    message = _l(
        "New tags (%(tags)s) need the “Create tags” privilege: %(threshold)s reputation. "
        "You have %(reputation)s. Use existing tags or leave them out.",
        tags=listed, threshold=threshold("create_tags"), reputation=author.shown_reputation,
    )
    raise privilege_error(author, "create_tags", message=message,
                          fields={"tags": f"new tags: {listed}"})


@transactional(keep_loaded=True)
def post_answer(author: User, thread_id, body) -> Post:
    """Answer a thread. The post returned, its author and thread are as written: showing
    them reads nothing again."""
    body = content.body(body)
    html = render_markdown(body)  # before the first query, so outside SQLite's write lock
    thread = get_thread(thread_id, author, related=False)
    require(author, "answer", thread)
    verdict = screening.screen(author, body, kind="answer", thread_id=thread.id)
    post = _new_post(thread, author, "answer", body, html)
    if verdict.held:
        screening.hold(post, verdict.reasons)
    increment(Thread, thread.id, answer_count=1)
    _touch(thread, author, post.created_at)
    index_thread(thread.id)
    badges.award(author.id, "first_answer", post=post)
    return post


@transactional
def edit_post(editor: User, post_id, body, title=None, edit_summary="") -> Post:
    """Change a post's body (and a question's title), keeping a revision."""
    post = get_post(post_id, editor)
    require(editor, "edit_post", post)
    body = content.body(body)
    summary = content.summary(edit_summary)
    thread = post.thread
    new_title = thread.title
    if title not in (None, "") and post.is_question:
        new_title = content.title(title)
    elif title not in (None, ""):
        raise ValidationError(_l("Only a question has a title."), fields={"title": "not a question"})
    if body == post.body and new_title == thread.title:
        return post
    verdict = screening.screen(editor, body, kind="edit", thread_id=thread.id,
                               title=new_title if post.is_question else "")
    number = db.session.scalar(
        select(func.max(PostRevision.number)).where(PostRevision.post_id == post.id)
    )
    now = utcnow()
    db.session.add(PostRevision(
        post_id=post.id, number=(number or 0) + 1, author_id=editor.id,
        title=new_title if post.is_question else None, body=body, summary=summary,
        created_at=now,
    ))
    post.body, post.body_html = body, render_markdown(body)
    post.edited_at, post.edited_by_id = now, editor.id
    if editor.id != post.author_id:
        _audit_moderator(editor, "edit", post, summary, revision=(number or 0, (number or 0) + 1))
    if post.is_question:
        thread.title, thread.slug = new_title, content.slugify(new_title)
    if verdict.held:
        screening.hold(post, verdict.reasons)
    _touch(thread, editor, now)
    index_thread(thread.id)
    return post


@transactional
def accept_answer(actor: User, thread_id, answer_id) -> Thread:
    """Mark `answer_id` as the accepted answer; None un-accepts."""
    thread = get_thread(thread_id, actor)
    require(actor, "accept", thread)
    answer_id = inputs.integer(answer_id, "answer_id", allow_none=True)
    answer = None
    if answer_id is not None:
        answer = db.session.get(Post, answer_id)
        if (answer is None or answer.thread_id != thread.id or answer.kind != "answer"
                or answer.deleted_at):
            raise NotFound(_l("No such answer in this thread."), fields={"answer_id": "not found"})
    if thread.accepted_answer_id == answer_id:
        return thread
    previous = thread.accepted_answer_id
    thread.accepted_answer_id = answer_id
    if previous is not None:  # moving or withdrawing acceptance takes its points back
        reputation.unreward_accept(db.session.get(Post, previous), actor)
    if answer is not None:
        reputation.reward_accept(thread, answer, actor)
        badges.after_accept(thread, answer, actor)
    index_thread(thread.id)
    return thread


@transactional
def delete_post(actor: User, post_id, reason: str = "") -> Post:
    """Soft-delete a post; deleting the question deletes the thread.

    What the post earned (votes, acceptance, promotion) is taken back; deleting
    the question takes back what the whole thread earned. Deleting the accepted
    answer also un-accepts it. A moderator's delete is written to the audit log.
    """
    post = get_post(post_id, actor)
    require(actor, "delete_post", post)
    thread = post.thread
    now = utcnow()
    post.deleted_at = now
    index_thread(thread.id)
    _audit_moderator(actor, "delete", post, reason, deleted_at=(None, now))
    if post.is_question:
        thread.deleted_at = now
        increment(Board, thread.board_id, thread_count=-1)
        reputation.settle_posts(_posts_of(thread), actor, "post_deleted")
        return post
    if thread.accepted_answer_id == post.id:
        thread.accepted_answer_id = None
    increment(Thread, thread.id, answer_count=-1)
    reputation.settle_posts([post], actor, "post_deleted")
    return post


@transactional
def restore_post(actor: User, post_id, reason: str = "") -> Post:
    """Undelete a post (moderators); restoring the question restores the thread.

    The post gets back exactly what it earned before; a restored answer that was
    the accepted one stays un-accepted (the asker may accept it again).
    """
    post = get_post(post_id, actor)
    require(actor, "restore_post", post)
    if post.deleted_at is None:
        raise Conflict(_l("This post is not deleted."))
    thread = post.thread
    _audit_moderator(actor, "restore", post, reason, deleted_at=(post.deleted_at, None))
    post.deleted_at = None
    index_thread(thread.id)
    if post.is_question:
        thread.deleted_at = None
        increment(Board, thread.board_id, thread_count=1)
        reputation.settle_posts(_posts_of(thread), actor, "post_restored")
        return post
    increment(Thread, thread.id, answer_count=1)
    reputation.settle_posts([post], actor, "post_restored")
    return post


def _audit_moderator(actor: User, action: str, post: Post, reason: str, **changes) -> None:
    """Audit a moderator's delete, restore or edit; deleting the question is the thread's."""
    if not actor.is_moderator:
        return
    target = ("thread", post.thread_id) if post.is_question and action != "edit" \
        else ("post", post.id)
    audit.record(actor, action, *target, reason=reason,
                 before={key: _plain(old) for key, (old, _new) in changes.items()},
                 after={key: _plain(new) for key, (_old, new) in changes.items()})


def _plain(value):
    return value.replace(microsecond=0).isoformat() + "Z" if hasattr(value, "isoformat") else value


def _posts_of(thread: Thread) -> list[Post]:
    return list(db.session.scalars(select(Post).where(Post.thread_id == thread.id)))


# --- reading --------------------------------------------------------------------

def page_or_merge_target(thread_id, viewer: User | None) -> "ThreadPage | Thread":
    """The thread page; for a thread a moderator merged into another, that other thread."""
    try:
        page = thread_page(thread_id, viewer)
    except NotFound:
        page = None
    if page is not None and page.thread.merged_into_id is None:
        return page
    target = merge_target(thread_id)
    if target is None:
        raise NotFound(_l("No such thread."))
    return target


def merge_target(thread_id) -> Thread | None:
    """The thread a merged thread now lives in (following merges of merges), else None."""
    target_id = db.session.scalar(select(Thread.merged_into_id).where(Thread.id == _id(thread_id)))
    seen = set()
    while target_id is not None and target_id not in seen:
        seen.add(target_id)
        target = db.session.get(Thread, target_id)
        target_id = target.merged_into_id
    return target if seen else None


def get_thread(thread_id, viewer: User | None, *, related: bool = True) -> Thread:
    """The thread if `viewer` may see it, else NotFound; `related=False` leaves its board,
    author, tags and ticket to load when used (a write that needs none of them)."""
    thread_id = _id(thread_id)
    options = [joinedload(Thread.board), joinedload(Thread.author), selectinload(Thread.tags),
               joinedload(Thread.ticket)] if related else []
    thread = db.session.get(Thread, thread_id, options=options)
    if thread is None or not can(viewer, "view_thread", thread):
        raise NotFound(_l("No such thread."))
    return thread


# Votes and edits look up a post first: the statement is built once (Session.get built
# it, with its options' cache key, on every call).
_POST_WITH_THREAD = (select(Post).options(joinedload(Post.thread))
                     .where(Post.id == bindparam("post_id")))


def get_post(post_id, viewer: User | None) -> Post:
    """The post if `viewer` may see it, else NotFound."""
    post = db.session.scalar(_POST_WITH_THREAD, {"post_id": _id(post_id)})
    if post is None or not can(viewer, "view_thread", post.thread):
        raise NotFound(_l("No such post."))
    if not _may_see(viewer, post):
        raise NotFound(_l("No such post."))
    return post


def _may_see(viewer: User | None, item: Post | Comment) -> bool:
    """Moderators see everything; authors also see their own hidden (held or flagged) items."""
    if viewer is not None and viewer.is_moderator:
        return True
    return item.deleted_at is None and (
        item.hidden_at is None or (viewer is not None and item.author_id == viewer.id)
    )


def _visible_to(viewer: User | None, model):
    """SQL condition matching `_may_see` for Post or Comment rows."""
    if viewer is not None and viewer.is_moderator:
        return true()
    if viewer is None:
        return listed(model)
    return and_(model.deleted_at.is_(None),
                or_(model.hidden_at.is_(None), model.author_id == viewer.id))


def _id(value) -> int:
    try:
        return inputs.integer(value, "id")
    except ValidationError:
        raise NotFound(_l("Not found."))


@dataclass
class CommentNode:
    comment: Comment
    replies: list["CommentNode"] = field(default_factory=list)


@dataclass
class ThreadPage:
    """Everything a thread page shows, loaded in a fixed number of queries."""

    thread: Thread
    question: Post
    answers: list[Post]
    comments: dict[int, list[CommentNode]]
    my_votes: dict[int, int]
    # Escalation: everyone sees that support took over; the ticket id only
    # goes to those who may open the ticket (its requester and staff).
    escalated: bool = False
    ticket_id: int | None = None
    kb_articles: dict[int, Article] = field(default_factory=dict)  # by source post id
    # What the viewer may do, asked once here so the template only reads the answers.
    thread_actions: Answers | None = None
    post_actions: dict[int, Answers] = field(default_factory=dict)
    comment_actions: dict[int, Answers] = field(default_factory=dict)


THREAD_ACTIONS = ("answer", "accept")
POST_ACTIONS = ("vote", "vote_up", "vote_down", "flag", "comment", "edit_post", "delete_post",
                "restore_post", "promote")
COMMENT_ACTIONS = ("edit_comment", "delete_comment", "restore_comment", "flag_comment")


def thread_page(thread_id, viewer: User | None) -> ThreadPage:
    """Load a thread with its posts, comment trees and the viewer's votes."""
    thread = get_thread(thread_id, viewer)
    posts_query = (
        select(Post, Article)
        .outerjoin(Article, kb.promoted_from_post(viewer))
        .where(Post.thread_id == thread.id, _visible_to(viewer, Post))
        .options(joinedload(Post.author), joinedload(Post.edited_by))
    )
    rows = db.session.execute(posts_query).all()
    posts = [post for post, _article in rows]
    question = next(p for p in posts if p.is_question)
    answers = sorted(
        (p for p in posts if not p.is_question),
        key=lambda p: (p.id != thread.accepted_answer_id, -p.score, p.created_at, p.id),
    )
    post_ids = [p.id for p in posts]
    ticket = thread.ticket
    comments = _comment_trees(post_ids, viewer)
    return ThreadPage(
        thread=thread,
        question=question,
        answers=answers,
        comments=comments,
        my_votes=_votes_of(viewer, post_ids),
        escalated=ticket is not None,
        ticket_id=ticket.id if ticket is not None and can(viewer, "view_ticket", ticket) else None,
        kb_articles={post.id: article for post, article in rows if article is not None},
        thread_actions=answers_to(viewer, THREAD_ACTIONS, thread),
        post_actions={p.id: answers_to(viewer, POST_ACTIONS, p) for p in posts},
        comment_actions={node.comment.id: answers_to(viewer, COMMENT_ACTIONS, node.comment)
                         for node in _walk(comments)},
    )


def _walk(trees: dict[int, list[CommentNode]]):
    """Every node of the comment trees."""
    stack = [node for roots in trees.values() for node in roots]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.replies)


def _comment_trees(post_ids: list[int], viewer: User | None) -> dict[int, list[CommentNode]]:
    query = (
        select(Comment)
        .where(Comment.post_id.in_(post_ids), _visible_to(viewer, Comment))
        .options(joinedload(Comment.author))
        .order_by(Comment.created_at, Comment.id)
    )
    nodes = {c.id: CommentNode(c) for c in db.session.scalars(query)}
    roots: dict[int, list[CommentNode]] = {}
    for node in nodes.values():
        parent = nodes.get(node.comment.parent_id)
        if parent is not None:
            parent.replies.append(node)
        else:
            roots.setdefault(node.comment.post_id, []).append(node)
    return roots


def _votes_of(viewer: User | None, post_ids: list[int]) -> dict[int, int]:
    if viewer is None or not post_ids:
        return {}
    rows = db.session.execute(
        select(Vote.post_id, Vote.value).where(Vote.user_id == viewer.id, Vote.post_id.in_(post_ids))
    )
    return dict(rows.all())


def _dealings_statement():
    thread, user = bindparam("thread_id"), bindparam("user_id")
    in_thread = Post.thread_id == thread
    return union_all(
        select(literal("post"), Post.id, literal(0)).where(in_thread, Post.author_id == user),
        select(literal("comment"), Comment.id, literal(0)).join(Post, Post.id == Comment.post_id)
        .where(in_thread, Comment.author_id == user),
        select(literal("vote"), Vote.post_id, Vote.value).join(Post, Post.id == Vote.post_id)
        .where(in_thread, Vote.user_id == user),
        select(literal("close_vote"), CloseVote.id, CloseVote.round)
        .where(CloseVote.thread_id == thread, CloseVote.user_id == user),
        select(literal("ticket"), Ticket.id, literal(0))
        .where(Ticket.source_thread_id == thread, Ticket.requester_id == user),
    )


_DEALINGS = _dealings_statement()  # built once: it runs on every signed-in thread view


def viewer_dealings(thread_id: int, viewer: User | None) -> tuple:
    """The viewer's own part in a thread, in one query: the posts and comments they wrote
    there (in any state), their votes, their close votes and a ticket they opened from it,
    as sorted (kind, id, value) rows; () for none. With `permissions.viewer_kind`, all the
    thread page shows differently to one viewer than to another (forum/web/thread_bodies.py)."""
    if viewer is None:
        return ()
    rows = db.session.execute(_DEALINGS, {"thread_id": thread_id, "user_id": viewer.id})
    return tuple(sorted(tuple(row) for row in rows))


def _revisions_query(post_id, viewer: User | None):
    post = get_post(post_id, viewer)
    return (
        select(PostRevision)
        .where(PostRevision.post_id == post.id)
        .options(joinedload(PostRevision.author))
        .order_by(PostRevision.number)
    )


def revisions(post_id, viewer: User | None) -> list[PostRevision]:
    """A post's revisions, oldest first."""
    return list(db.session.scalars(_revisions_query(post_id, viewer)))


@dataclass
class PostView:
    """One post with its comment trees and the viewer's vote (0: none)."""

    post: Post
    comments: list[CommentNode]
    my_vote: int


def post_view(post_id, viewer: User | None) -> PostView:
    """Load a post, its comment trees and the viewer's vote in a fixed number of queries."""
    post = get_post(post_id, viewer)
    return PostView(
        post=post,
        comments=_comment_trees([post.id], viewer).get(post.id, []),
        my_vote=_votes_of(viewer, [post.id]).get(post.id, 0),
    )


def revision_page(post_id, viewer: User | None, page: int, per_page: int) -> Page:
    """One page of a post's revisions, oldest first."""
    return paginate(_revisions_query(post_id, viewer), page, per_page)
