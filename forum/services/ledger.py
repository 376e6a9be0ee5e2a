"""Reading the reputation ledger: a user's events and history, top helpers, serial voting."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased, joinedload

from .. import page_generation, tasks, timeutil
from ..extensions import db, shared_cache
from ..models import Board, Post, ReputationEvent, SerialVote, Thread, User
from ..permissions import require
from .pagination import Page, paginate
from .reputation import START

E = ReputationEvent
PERIODS = {"week": timedelta(days=7), "month": timedelta(days=30), "all": None}
COUNT_TASK = "leaders.count"
COUNTING_LOCK_SECONDS = 120  # a count lost or failed lets the next look ask again after this
KEEP_COUNT_SECONDS = 7 * 24 * 3600  # a stale count is shown while the next one runs


def events(user: User, page: int, per_page: int) -> Page:
    """The user's ledger events, newest first."""
    query = (
        select(E)
        .where(E.user_id == user.id)
        .order_by(E.created_at.desc(), E.id.desc())
    )
    return paginate(query, page, per_page)


def _as_date(value) -> date:
    # SQLite's date() gives text, PostgreSQL's a date.
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


@dataclass
class LedgerDay:
    """One UTC day of a user's ledger: the total and the events, newest first."""

    day: date
    total: int
    events: list


def ledger_days(user: User, page: int = 1, per_page: int = 10) -> Page:
    """One page of the user's ledger grouped by UTC day, newest day first."""
    day = func.date(E.created_at).label("day")
    days = (
        select(day, func.sum(E.amount).label("total"))
        .where(E.user_id == user.id).group_by(day).order_by(day.desc())
    )
    result = paginate(days, page, per_page, scalars=False)
    groups = [LedgerDay(_as_date(row.day), int(row.total), []) for row in result.items]
    if groups:
        first = datetime.combine(groups[-1].day, datetime.min.time())
        last = datetime.combine(groups[0].day, datetime.min.time()) + timedelta(days=1)
        events = db.session.scalars(
            select(E)
            .where(E.user_id == user.id, E.created_at >= first, E.created_at < last)
            .options(joinedload(E.post).joinedload(Post.thread))
            .order_by(E.created_at.desc(), E.id.desc())
        )
        by_day = {group.day: group for group in groups}
        for event in events:
            by_day[event.created_at.date()].events.append(event)
    return Page(items=groups, page=result.page, per_page=result.per_page, total=result.total)


def history(user: User) -> list[tuple[date, int]]:
    """The user's reputation at the end of each day with ledger events, oldest first."""
    day = func.date(E.created_at).label("day")
    rows = db.session.execute(
        select(day, func.sum(E.amount)).where(E.user_id == user.id).group_by(day).order_by(day)
    )
    points, running = [], START
    for value, total in rows:
        running += int(total)
        points.append((_as_date(value), running))
    return points


@dataclass(frozen=True)
class HelperName:
    """Who a top helper is: plain values, so a cached leaderboard outlives its session."""

    id: int
    username: str


@dataclass(frozen=True)
class Helper:
    """A user and the reputation their answers earned in a period."""

    user: HelperName
    earned: int


def top_helpers(board: Board | None = None, period: str = "week", limit: int = 5,
                now: datetime | None = None) -> list[Helper]:
    """The users whose answers earned the most reputation in the period (one query).

    Counts what answers earned their authors - votes, accepts, promotions and their
    reversals - on the board (or everywhere) since a week, a month (30 days) or ever.
    """
    earned = func.sum(E.amount)
    query = (
        select(User.id, User.username, earned.label("earned"))
        .join(E, E.user_id == User.id)
        .join(Post, and_(Post.id == E.post_id, Post.author_id == E.user_id))
        .where(Post.kind == "answer")
    )
    if board is not None:
        query = query.join(Thread, Thread.id == E.thread_id).where(Thread.board_id == board.id)
    span = PERIODS[period]
    if span is not None:
        query = query.where(E.created_at >= (now or timeutil.utcnow()) - span)
    query = query.group_by(User.id).having(earned > 0).order_by(earned.desc(), User.id)
    return [Helper(HelperName(user_id, username), int(total))
            for user_id, username, total in db.session.execute(query.limit(limit))]


def leaders(board: Board | None = None, limit: int = 5) -> dict[str, list[Helper]]:
    """Top helpers of the week, the month and all time, as the cache every worker shares
    last counted them (three queries over a ledger of millions of rows: a third of a
    second warm, 20 s with the database's pages cold on disk).

    A count older than LEADERS_CACHE_SECONDS is counted again by a task (deferred: no
    write in a read) that the first look after it went stale hands on; until the task
    has run, pages show the last count (or no helpers, before the first). The count stays out of requests: every worker
    counting at once on a cold disk outlasted gunicorn's 30 s timeout, the workers
    were killed, and their replacements started the same count again.
    """
    key = _leaders_key(board.id if board is not None else None, limit)
    counted = shared_cache.get(key)  # (when, helpers by period)
    fresh_for = timedelta(seconds=current_app.config["LEADERS_CACHE_SECONDS"])
    if counted is not None and timeutil.utcnow() - counted[0] < fresh_for:
        return counted[1]
    if shared_cache.add(f"{key}:counting", True, timeout=COUNTING_LOCK_SECONDS):
        tasks.defer(COUNT_TASK, {"board_id": board.id if board is not None else None,
                                   "limit": limit})
        counted = shared_cache.get(key) or counted  # counted already where tasks run inline
    return counted[1] if counted is not None else {period: [] for period in PERIODS}


def count_leaders(payload: dict) -> None:
    """The COUNT_TASK: count a board's (or the site's) top helpers into the shared cache."""
    key = _leaders_key(payload["board_id"], payload["limit"])
    try:
        board = db.session.get(Board, payload["board_id"]) if payload["board_id"] else None
        now = timeutil.utcnow()
        result = {period: top_helpers(board, period, payload["limit"], now)
                  for period in PERIODS}
        last = shared_cache.get(key)
        shared_cache.set(key, (now, result), timeout=KEEP_COUNT_SECONDS)
    finally:
        shared_cache.delete(f"{key}:counting")
    if last is None or last[1] != result:
        page_generation.bump()  # cached pages show the last count (or none, the first time)


def _leaders_key(board_id: int | None, limit: int) -> str:
    # The cache outlives deploys: a key of its own for each shape of the value kept.
    return f"leaders-counted:{board_id if board_id is not None else 'all'}:{limit}"


@dataclass
class SerialVoting:
    """A voter's votes held back on one author's posts."""

    voter: User
    author: User
    votes: int
    first_at: datetime
    last_at: datetime


def serial_voting_report(actor: User | None, page: int = 1, per_page: int = 30) -> Page:
    """Votes held back as serial voting, one row per voter and author, latest first."""
    require(actor, "view_serial_votes")
    voter, author = aliased(User), aliased(User)
    last = func.max(SerialVote.created_at).label("last_at")
    query = (
        select(voter, author, func.count(SerialVote.id).label("votes"),
               func.min(SerialVote.created_at).label("first_at"), last)
        .join(voter, voter.id == SerialVote.voter_id)
        .join(author, author.id == SerialVote.author_id)
        .group_by(voter.id, author.id)
        .order_by(last.desc(), voter.id, author.id)
    )
    result = paginate(query, page, per_page, scalars=False)
    items = [SerialVoting(row[0], row[1], row.votes, row.first_at, row.last_at)
             for row in result.items]
    return Page(items=items, page=result.page, per_page=result.per_page, total=result.total)
