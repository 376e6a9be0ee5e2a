"""The reputation ledger: every change is an event; User.reputation caches 1 + their sum.

The rules (defaults; the app config `REPUTATION_RULES` overrides any of them):
- a question or answer voted up: +10 to its author; voted down: -2 to its author;
  voting an answer (not a question) down costs the voter 1;
- an accepted answer: +15 to its author and +2 to the asker, nothing for accepting
  one's own answer; an answer promoted to the knowledge base: +25 to its author;
- up votes earn a user at most `daily_vote_cap` (200) per UTC day; accepts and
  promotions are never capped;
- once a voter has voted on `serial_vote_limit` (10) different posts of one author
  within `serial_vote_hours` (24), further votes on that author's posts count for
  the score but move nobody's reputation but the voter's own down-vote cost, and
  are recorded as SerialVote rows for the moderators.

Exactness. Every event belongs to a *source*: one vote ("vote:<voter>:<post>"),
one acceptance ("accept:<post>") or one promotion ("promotion:<post>"). The
events of a source for a user add up to what that cause gives the user now.
A reversal - a vote withdrawn or changed, an un-accept, a deleted post - writes
minus that sum, so it takes back exactly what was earned, capped or not. A
restored post gets back, per source, the amount of the cause's latest grant.

The daily cap counts, per user and UTC day, the `upvote` events and their
`upvote_undone` reversals written that day: an up vote earns
min(10, cap - that sum), and its event says detail="capped" when it earned less.
So withdrawing a vote frees room on the day of the withdrawal (whichever day the
vote was cast), and deleting or restoring a post never touches the cap. Every
amount depends only on the events written before it: replaying the same actions
in the same order (at the same times) reproduces the ledger exactly, and
`flask askdesk reputation recount` rebuilds every cache from it.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, distinct, func, insert, select

from .. import timeutil
from ..errors import Conflict
from ..extensions import db
from ..models import Post, ReputationEvent, SerialVote, Thread, User, Vote
from ..transactions import transactional
from . import badges
from .counters import increment

START = 1  # every account starts with 1; the ledger holds what came since

DEFAULTS = {
    "upvote": 10,  # to the author of a post voted up
    "downvote": -2,  # to the author of a post voted down
    "downvote_cast": -1,  # to whoever votes an answer down
    "accepted": 15,  # to the author of the accepted answer
    "accept_given": 2,  # to the asker who accepts someone else's answer
    "promoted": 25,  # to the author of an answer promoted to the knowledge base
    "daily_vote_cap": 200,
    "serial_vote_limit": 10,
    "serial_vote_hours": 24,
}
GRANTS = ("upvote", "downvote", "downvote_cast", "accepted", "accept_given", "promoted")
CAPPED = ("upvote", "upvote_undone")
VOTE_GRANTS = ("upvote", "downvote")

E = ReputationEvent


def rules() -> dict[str, int]:
    """The points and limits in force: the defaults with the app's overrides."""
    merged = dict(DEFAULTS)
    if has_app_context():
        merged.update(current_app.config.get("REPUTATION_RULES") or {})
    return merged


def check_rules(configured) -> None:
    """Raise ValueError for an override naming no rule or not a whole number."""
    for name, value in (configured or {}).items():
        if name not in DEFAULTS:
            raise ValueError(f"unknown reputation rule {name!r}; known: {', '.join(DEFAULTS)}")
        if type(value) is not int:
            raise ValueError(f"reputation rule {name} must be an integer, not {value!r}")


def vote_source(voter_id: int, post_id: int) -> str:
    return f"vote:{voter_id}:{post_id}"


def accept_source(post_id: int) -> str:
    return f"accept:{post_id}"


def promotion_source(post_id: int) -> str:
    return f"promotion:{post_id}"


def _live(post: Post) -> bool:
    return post.deleted_at is None and post.thread.deleted_at is None


# The statements every vote runs, built once: building a statement (and its cache key)
# cost three times running it. They run on the session's connection, past the ORM, which
# would first look for their rows among the objects it holds; ledger rows are never read
# back as objects in the transaction that writes them.
_EVENT_COLUMNS = ("user_id", "amount", "reason", "source", "detail", "post_id", "thread_id",
                  "actor_id", "created_at")
# Its values are bind parameters (a CTE needs them), named apart from the columns.
_INSERT_EVENT = insert(E).values({column: bindparam(f"event_{column}")
                                  for column in _EVENT_COLUMNS}).returning(E.id)
_EARNED_FROM_VOTES = select(func.coalesce(func.sum(E.amount), 0)).where(
    E.user_id == bindparam("user_id"), E.reason.in_(CAPPED),
    E.created_at >= bindparam("day"), E.created_at < bindparam("next_day"),
)
_SERIAL_VOTES = select(func.count(distinct(E.post_id))).where(
    E.actor_id == bindparam("voter_id"), E.user_id == bindparam("author_id"),
    E.reason.in_(VOTE_GRANTS), E.created_at >= bindparam("since"),
    E.post_id != bindparam("post_id"),
)
# FOR NO KEY UPDATE: a vote row being written by the same member holds a key-share
# lock on their row (its foreign key), which a plain FOR UPDATE would deadlock against.
_LOCK_USERS = (select(User.id).where(User.id.in_(bindparam("ids", expanding=True)))
               .order_by(User.id).with_for_update(key_share=True))
_VOTE_HISTORY = select(_SERIAL_VOTES.scalar_subquery(), _EARNED_FROM_VOTES.scalar_subquery())


def _write(user_id: int, amount: int, reason: str, *, source: str | None, now: datetime,
           post: Post | None = None, actor: User | None = None, detail: str | None = None):
    values = (user_id, amount, reason, source, detail, post.id if post else None,
              post.thread_id if post else None, actor.id if actor else None, now)
    increment(User, user_id, reputation=amount, along=(_INSERT_EVENT, {
        f"event_{column}": value for column, value in zip(_EVENT_COLUMNS, values)}))


def _lock_users(user_ids) -> None:
    # Amounts that depend on earlier events (the cap, serial voting) are computed
    # under the users' row locks (PostgreSQL), in id order so writers never deadlock;
    # SQLite's BEGIN IMMEDIATE already serialises writers, so there it asks nothing.
    if db.session.get_bind().dialect.name == "sqlite":
        return
    db.session.connection().execute(_LOCK_USERS, {"ids": sorted(user_ids)}).all()


def day_start(moment: datetime) -> datetime:
    """Midnight (UTC) of the day `moment` falls on."""
    return datetime(moment.year, moment.month, moment.day)


def earned_from_votes_on(user_id: int, day: datetime) -> int:
    """What up votes (less their withdrawals) earned the user on the UTC day starting `day`."""
    return db.session.connection().scalar(_EARNED_FROM_VOTES, {
        "user_id": user_id, "day": day, "next_day": day + timedelta(days=1)}) or 0


def _vote_history(voter_id: int, post: Post, now: datetime) -> tuple[bool, int]:
    """What a vote's amount depends on, in one round trip: whether it is serial voting
    (the voter's votes on the author's other posts lately) and what votes earned the
    author today (the daily cap)."""
    limit = rules()
    day = day_start(now)
    others, earned = db.session.connection().execute(_VOTE_HISTORY, {
        "voter_id": voter_id, "author_id": post.author_id, "post_id": post.id,
        "since": now - timedelta(hours=limit["serial_vote_hours"]),
        "user_id": post.author_id, "day": day, "next_day": day + timedelta(days=1),
    }).one()
    return (others or 0) >= limit["serial_vote_limit"], earned or 0


# --- writing: votes, accepts, promotions -----------------------------------------------

def reward_vote(voter: User, post: Post, value: int) -> bool:
    """Write what a vote just cast earns; True when it was held back as serial voting."""
    now = timeutil.utcnow()
    _lock_users({post.author_id, voter.id})
    points = rules()
    source = vote_source(voter.id, post.id)
    serial, earned_today = _vote_history(voter.id, post, now)
    if value > 0:
        room = max(points["daily_vote_cap"] - earned_today, 0)
        amount = 0 if serial else min(points["upvote"], room)
        detail = "serial" if serial else ("capped" if amount < points["upvote"] else None)
        _write(post.author_id, amount, "upvote", source=source, now=now, post=post,
               actor=voter, detail=detail)
    else:
        amount = 0 if serial else points["downvote"]
        _write(post.author_id, amount, "downvote", source=source, now=now, post=post,
               actor=voter, detail="serial" if serial else None)
        if not post.is_question:
            _write(voter.id, points["downvote_cast"], "downvote_cast", source=source, now=now,
                   post=post, actor=voter)
    if serial:
        db.session.add(SerialVote(voter_id=voter.id, author_id=post.author_id, post_id=post.id,
                                  value=value, created_at=now))
    return serial


def unreward_vote(voter_id: int, post: Post, actor: User) -> None:
    """Take back exactly what a vote (withdrawn, changed or removed) gives now."""
    _reverse(vote_source(voter_id, post.id), post, actor)


def reward_accept(thread: Thread, answer: Post, actor: User) -> None:
    """+15 to the answer's author, +2 to the asker; nothing for one's own answer."""
    if answer.author_id == thread.author_id:
        return
    now = timeutil.utcnow()
    points = rules()
    source = accept_source(answer.id)
    _write(answer.author_id, points["accepted"], "accepted", source=source, now=now,
           post=answer, actor=actor)
    _write(thread.author_id, points["accept_given"], "accept_given", source=source, now=now,
           post=answer, actor=actor)


def unreward_accept(answer: Post, actor: User) -> None:
    """Take back exactly what accepting `answer` gave (acceptance moved or withdrawn)."""
    _reverse(accept_source(answer.id), answer, actor)


@transactional
def record_promotion(post: Post, actor: User) -> bool:
    """+25 (never capped) to the author of an answer promoted to a KB article.

    The knowledge-base service calls this in its own transaction. A post earns it
    once: promoting it again returns False and writes nothing. Deleting the post
    takes the points back; restoring it returns them.
    """
    if not _live(post):
        raise Conflict(_l("A deleted post cannot be promoted."))
    _lock_users({post.author_id})
    source = promotion_source(post.id)
    done = db.session.scalar(
        select(E.id).where(E.post_id == post.id, E.source == source, E.reason == "promoted")
        .limit(1)
    )
    if done is not None:
        return False
    _write(post.author_id, rules()["promoted"], "promoted", source=source,
           now=timeutil.utcnow(), post=post, actor=actor)
    badges.award(post.author_id, "promoted_to_kb", post=post)
    return True


def _reverse(source: str, post: Post, actor: User) -> None:
    rows = db.session.execute(
        select(E.user_id, E.reason, E.amount)
        .where(E.post_id == post.id, E.source == source).order_by(E.id)
    )
    totals: dict[int, int] = {}
    last_grant: dict[int, str] = {}
    for user_id, reason, amount in rows:
        totals[user_id] = totals.get(user_id, 0) + amount
        if reason in GRANTS:
            last_grant[user_id] = reason
    now = timeutil.utcnow()
    for user_id, total in totals.items():
        if total:
            _write(user_id, -total, f"{last_grant.get(user_id, 'points')}_undone",
                   source=source, now=now, post=post, actor=actor)


def settle_posts(posts: list[Post], actor: User, reason: str) -> None:
    """Bring the ledger of `posts` in line with their state, writing differences as `reason`.

    A post counts while neither it nor its thread is deleted. A counting post gives
    each of its current votes, its acceptance (if it is the accepted answer) and its
    promotion the amount of that cause's latest grant event; a hidden post gives
    nothing. So deleting ("post_deleted") takes back everything the posts give now,
    and restoring ("post_restored") returns exactly the amounts last earned - never
    re-capped, and never counted against the daily cap.
    """
    if not posts:
        return
    by_id = {post.id: post for post in posts}
    current: dict[tuple[str, int], int] = {}
    latest: dict[tuple[str, int, str], int] = {}
    post_of: dict[str, int] = {}
    rows = db.session.execute(
        select(E.source, E.user_id, E.reason, E.amount, E.post_id)
        .where(E.post_id.in_(list(by_id)), E.source.is_not(None)).order_by(E.id)
    )
    for source, user_id, event_reason, amount, post_id in rows:
        current[(source, user_id)] = current.get((source, user_id), 0) + amount
        if event_reason in GRANTS:
            latest[(source, user_id, event_reason)] = amount
        post_of[source] = post_id

    target: dict[tuple[str, int], int] = {}
    live = [post for post in posts if _live(post)]
    if live:
        votes = db.session.scalars(select(Vote).where(Vote.post_id.in_([p.id for p in live])))
        for vote in votes:
            post = by_id[vote.post_id]
            source = vote_source(vote.user_id, post.id)
            post_of[source] = post.id
            grant = "upvote" if vote.value > 0 else "downvote"
            target[(source, post.author_id)] = latest.get((source, post.author_id, grant), 0)
            if vote.value < 0 and not post.is_question:
                target[(source, vote.user_id)] = latest.get(
                    (source, vote.user_id, "downvote_cast"), 0)
    for post in live:
        thread = post.thread
        if thread.accepted_answer_id == post.id and post.author_id != thread.author_id:
            source = accept_source(post.id)
            post_of[source] = post.id
            target[(source, post.author_id)] = latest.get((source, post.author_id, "accepted"), 0)
            target[(source, thread.author_id)] = latest.get(
                (source, thread.author_id, "accept_given"), 0)
        source = promotion_source(post.id)
        if (source, post.author_id, "promoted") in latest:
            target[(source, post.author_id)] = latest[(source, post.author_id, "promoted")]

    now = timeutil.utcnow()
    for key in [*current, *(k for k in target if k not in current)]:
        difference = target.get(key, 0) - current.get(key, 0)
        if difference:
            source, user_id = key
            _write(user_id, difference, reason, source=source, now=now,
                   post=by_id[post_of[source]], actor=actor)


# --- the cache -----------------------------------------------------------------------

@dataclass
class Fix:
    """A cached reputation that did not match the ledger, and what it is now."""

    username: str
    cached: int
    ledger: int


@dataclass
class RecountResult:
    checked: int
    fixes: list[Fix]


@transactional
def recount(user: User | None = None) -> RecountResult:
    """Rebuild User.reputation (all users, or one) as 1 + the ledger sum; report the fixes."""
    locked = select(User.id).order_by(User.id).with_for_update(key_share=True)
    if user is not None:
        locked = locked.where(User.id == user.id)
    ids = list(db.session.scalars(locked))  # no ledger writer runs while we hold these
    sums = select(E.user_id, func.sum(E.amount).label("total")).group_by(E.user_id)
    if user is not None:
        sums = sums.where(E.user_id == user.id)
    sums = sums.subquery()
    query = (
        select(User.id, User.username, User.reputation, func.coalesce(sums.c.total, 0))
        .outerjoin(sums, sums.c.user_id == User.id).order_by(User.id)
    )
    if user is not None:
        query = query.where(User.id == user.id)
    fixes = []
    for user_id, username, cached, total in db.session.execute(query):
        expected = START + int(total)
        if cached != expected:
            db.session.execute(
                db.update(User).where(User.id == user_id).values(reputation=expected)
            )
            fixes.append(Fix(username, cached, expected))
    return RecountResult(checked=len(ids), fixes=fixes)


def ledger_sum(user_id: int) -> int:
    """The sum of a user's ledger events."""
    return db.session.scalar(
        select(func.coalesce(func.sum(E.amount), 0)).where(E.user_id == user_id)
    ) or 0
