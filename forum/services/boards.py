"""Boards (product areas) and the thread lists on them."""
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from moderation import audit

from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..models import Board, Tag, Thread, listed
from ..permissions import require
from ..transactions import transactional
from . import inputs
from .pagination import Page, paginate

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
THREAD_SORTS = ("active", "newest", "votes", "unanswered")


@transactional
def create_board(actor, slug, name, description="", parent=None, position=None) -> Board:
    """Create a product-area board (admins; actor None means the CLI)."""
    if actor is not None:
        require(actor, "create_board")
    slug = inputs.text(slug, "slug", min_len=1, max_len=64, label=_l("Slug"))
    if not SLUG_RE.fullmatch(slug):
        raise ValidationError(
            _l("Slug must be lower-case letters, digits and single hyphens."),
            fields={"slug": "lower-case letters, digits and hyphens"},
        )
    name = inputs.text(name, "name", min_len=1, max_len=100, label=_l("Name"))
    description = inputs.text(description, "description", max_len=2000, label=_l("Description"))
    parent_board = None
    if parent not in (None, ""):
        parent_board = get_board(parent)
        if parent_board.parent_id is not None:
            raise ValidationError(
                _l("Boards nest one level deep only."), fields={"parent": "is itself a sub-board"}
            )
    if db.session.scalar(select(Board.id).where(Board.slug == slug)):
        raise Conflict(_l("A board with that slug exists."), fields={"slug": "taken"})
    if position is None:
        position = (db.session.scalar(select(db.func.max(Board.position))) or 0) + 1
    board = Board(
        slug=slug, name=name, description=description, parent=parent_board, position=position
    )
    db.session.add(board)
    db.session.flush()
    audit.record(actor, "create", "board", board.id,
                 reason="" if actor is not None else "command line",
                 after={"slug": slug, "name": name, "parent": parent_board and parent_board.slug})
    return board


def list_boards() -> list[Board]:
    """All boards in display order, with their latest thread loaded."""
    query = (
        select(Board)
        .options(joinedload(Board.last_thread), joinedload(Board.parent))
        .order_by(Board.position, Board.name)
    )
    return list(db.session.scalars(query))


def get_board(slug) -> Board:
    """The board with this slug, or NotFound."""
    slug = inputs.lookup(slug, 64)
    if slug is None:
        raise NotFound(_l("No such board."))
    board = db.session.scalar(select(Board).where(Board.slug == slug))
    if board is None:
        raise NotFound(_l("No such board."))
    return board


def list_threads(board: Board, *, sort="active", tag=None, page=1, per_page=30) -> Page:
    """One page of a board's visible threads; pinned threads lead every sort."""
    sort = inputs.choice(sort or "active", "sort", THREAD_SORTS)
    query = (
        select(Thread)
        .where(Thread.board_id == board.id, listed(Thread))
        .options(
            joinedload(Thread.author),
            joinedload(Thread.last_activity_user),
            selectinload(Thread.tags),
        )
    )
    if tag:
        tag = inputs.lookup(tag, 35)
        query = query.where(Thread.tags.any(Tag.name == (tag or "").lower()))
    if sort == "unanswered":
        query = query.where(Thread.answer_count == 0)
    order = {
        "active": [Thread.last_activity_at.desc()],
        "newest": [Thread.created_at.desc()],
        "votes": [Thread.score.desc(), Thread.created_at.desc()],
        "unanswered": [Thread.created_at.desc()],
    }[sort]
    query = query.order_by(Thread.is_pinned.desc(), *order, Thread.id.desc())
    return paginate(query, page, per_page, key=Thread.id)


def board_page(page: int, per_page: int) -> Page:
    """One page of the boards in display order (the API lists boards in pages)."""
    query = (
        select(Board)
        .options(joinedload(Board.parent))
        .order_by(Board.position, Board.name, Board.id)
    )
    return paginate(query, page, per_page)
