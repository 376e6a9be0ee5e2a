"""Random sequences of votes, vote changes, accepts, un-accepts, deletes, restores and
promotions, across UTC midnights: after every step each cached reputation equals the
ledger sum and equals a from-scratch recomputation of the rules by a model that
knows nothing of the ledger (only which votes, acceptances and deletions exist and
what each vote earned when it was cast)."""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from forum.errors import DomainError
from forum.extensions import db
from forum.models import ReputationEvent, User
from forum.services import reputation, threads, votes
from tests.factories import give_reputation, make_answer, make_board, make_thread, make_user

# A small cap (three up votes a day) and serial limit (a second post of one author
# within six hours), so that short histories reach both.
RULES = {"daily_vote_cap": 30, "serial_vote_limit": 1, "serial_vote_hours": 6}
UP, DOWN, CAST, ACCEPTED, GIVEN, PROMOTED = 10, -2, -1, 15, 2, 25
THRESHOLD = {1: 15, -1: 125, 0: 0}

USERS = ("asker0", "asker1", "helper0", "helper1", "voter0", "voter1", "mod")
SEEDS = {"helper1": 129, "voter0": 499, "voter1": 499}
VOTERS = ("helper1", "voter0", "voter1", "mod")
# post index -> (thread index, author); index 0 and 4 are the questions
POSTS = (
    (0, "asker0"), (0, "helper0"), (0, "helper1"), (0, "asker0"),
    (1, "asker1"), (1, "helper0"), (1, "voter0"), (1, "helper0"),
)
QUESTIONS = (0, 4)
ANSWERS = ((None, 1, 2, 3), (None, 5, 6, 7))
LAST = len(POSTS) - 1
START = datetime(2030, 3, 30, 20, 0)

# Mostly votes, most of them on helper0's three posts, to meet the cap and serial voting.
KINDS = ("vote",) * 7 + ("accept", "accept", "delete", "restore", "promote", "wait", "wait")
actions = st.tuples(
    st.sampled_from(KINDS),
    st.sampled_from(VOTERS),
    st.sampled_from((1, 1, 5, 5, 7, 7, 0, 2, 3, 4, 6)),
    st.sampled_from((1, 1, -1, 0)),
    st.integers(0, 1),  # the thread to accept in
    st.integers(0, 3),  # which of its answers (0: none)
    st.integers(1, 8),  # hours to wait
)


@dataclass
class CastVote:
    value: int
    author_gets: int
    voter_gets: int


@dataclass
class Model:
    """The rules, recomputed from the state of the world."""

    now: datetime
    reputation: dict = field(default_factory=lambda: {u: 1 + SEEDS.get(u, 0) for u in USERS})
    votes: dict = field(default_factory=dict)  # (voter, post) -> CastVote
    deleted: set = field(default_factory=set)  # post indexes
    accepted: list = field(default_factory=lambda: [None, None])
    promoted: set = field(default_factory=set)
    day_net: dict = field(default_factory=dict)  # (user, date) -> up votes less withdrawals
    casts: list = field(default_factory=list)  # (time, voter, author, post)
    serial_votes: int = 0

    def live(self, post: int) -> bool:
        thread = POSTS[post][0]
        return post not in self.deleted and QUESTIONS[thread] not in self.deleted

    def expected(self) -> dict[str, int]:
        """Every user's reputation, from scratch."""
        totals = {u: 1 + SEEDS.get(u, 0) for u in USERS}
        for (voter, post), vote in self.votes.items():
            if self.live(post):
                totals[POSTS[post][1]] += vote.author_gets
                totals[voter] += vote.voter_gets
        for thread, answer in enumerate(self.accepted):
            asker = POSTS[QUESTIONS[thread]][1]
            if answer is not None and self.live(answer) and POSTS[answer][1] != asker:
                totals[POSTS[answer][1]] += ACCEPTED
                totals[asker] += GIVEN
        for post in self.promoted:
            if self.live(post):
                totals[POSTS[post][1]] += PROMOTED
        return totals

    def vote(self, voter: str, post: int, value: int) -> bool:
        author = POSTS[post][1]
        shown = max(self.expected()[voter], 1)
        allowed = voter == "mod" or shown >= THRESHOLD[value]
        if voter == author or not self.live(post) or not allowed:
            return False
        old = self.votes.get((voter, post))
        if (old.value if old else 0) == value:
            return True
        today = self.now.date()
        if old is not None:
            del self.votes[(voter, post)]
            if old.value == 1:  # its withdrawal is an upvote_undone event today
                self.day_net[(author, today)] = self.day_net.get((author, today), 0) \
                    - old.author_gets
        if value:
            since = self.now - timedelta(hours=RULES["serial_vote_hours"])
            others = {p for t, v, a, p in self.casts
                      if v == voter and a == author and t >= since and p != post}
            serial = len(others) >= RULES["serial_vote_limit"]
            self.serial_votes += serial
            self.casts.append((self.now, voter, author, post))
            if value == 1:
                room = max(RULES["daily_vote_cap"] - self.day_net.get((author, today), 0), 0)
                gets = 0 if serial else min(UP, room)
                self.day_net[(author, today)] = self.day_net.get((author, today), 0) + gets
                self.votes[(voter, post)] = CastVote(1, gets, 0)
            else:
                cost = CAST if post not in QUESTIONS else 0
                self.votes[(voter, post)] = CastVote(-1, 0 if serial else DOWN, cost)
        return True

    def accept(self, thread: int, answer: int | None) -> bool:
        if QUESTIONS[thread] in self.deleted or (answer is not None and not self.live(answer)):
            return False
        self.accepted[thread] = answer
        return True

    def delete(self, post: int) -> bool:
        if post in self.deleted:
            return False
        self.deleted.add(post)
        thread = POSTS[post][0]
        if self.accepted[thread] == post:
            self.accepted[thread] = None
        return True

    def restore(self, post: int) -> bool:
        if post not in self.deleted:
            return False
        self.deleted.discard(post)
        return True

    def promote(self, post: int) -> bool:
        if not self.live(post):
            return False
        self.promoted.add(post)
        return True


@pytest.fixture
def rules_app(make_app, clock):
    app = make_app(REPUTATION_RULES=RULES)
    with app.app_context():
        yield app


def _build_world():
    board = make_board()
    people = {name: make_user() if name != "mod" else make_user(role="moderator")
              for name in USERS}
    for name, amount in SEEDS.items():
        give_reputation(people[name], amount)
    asked = [make_thread(people["asker0"], board), make_thread(people["asker1"], board)]
    posts = []
    for index, (thread, author) in enumerate(POSTS):
        if index in QUESTIONS:
            posts.append(asked[thread].question.id)
        else:
            posts.append(make_answer(asked[thread], people[author]).id)
    return ({name: user.id for name, user in people.items()}, [t.id for t in asked], posts)


def _user(ids, name) -> User:
    return db.session.get(User, ids[name])


def _run(action, model, ids, thread_ids, post_ids, clock) -> str:
    kind, voter, post, value, thread, choice, hours = action
    if kind == "wait":
        model.now = clock.advance(hours=hours)
        return "wait"
    db.session.expire_all()
    if kind == "vote":
        valid = model.vote(voter, post, value)
        call = lambda: votes.cast_vote(_user(ids, voter), post_ids[post], value)  # noqa: E731
    elif kind == "accept":
        answer = ANSWERS[thread][choice]
        valid = model.accept(thread, answer)
        asker = POSTS[QUESTIONS[thread]][1]
        target = None if answer is None else post_ids[answer]
        call = lambda: threads.accept_answer(_user(ids, asker), thread_ids[thread], target)  # noqa: E731
    elif kind in ("delete", "restore"):
        if kind == "restore" and model.deleted:  # mostly restore something deleted
            post = sorted(model.deleted)[post % len(model.deleted)]
        valid = getattr(model, kind)(post)
        service = threads.delete_post if kind == "delete" else threads.restore_post
        call = lambda: service(_user(ids, "mod"), post_ids[post])  # noqa: E731
    else:
        valid = model.promote(post)
        call = lambda: reputation.record_promotion(  # noqa: E731
            threads.get_post(post_ids[post], _user(ids, "mod")), _user(ids, "mod"))
    try:
        call()
        refused = None
    except DomainError as error:
        db.session.rollback()
        refused = error
    assert (refused is None) == valid, (action, refused)
    return f"{kind}: {'done' if valid else 'refused'}"


def _check(model, ids) -> None:
    db.session.expire_all()
    cached = {name: db.session.get(User, uid).reputation for name, uid in ids.items()}
    sums = dict(db.session.execute(
        select(ReputationEvent.user_id, func.coalesce(func.sum(ReputationEvent.amount), 0))
        .where(ReputationEvent.user_id.in_(list(ids.values())))
        .group_by(ReputationEvent.user_id)
    ).all())
    ledger = {name: 1 + sums.get(uid, 0) for name, uid in ids.items()}
    assert cached == ledger
    assert cached == model.expected()


def _check_daily_cap(ids) -> None:
    day = func.date(ReputationEvent.created_at)
    rows = db.session.execute(
        select(ReputationEvent.user_id, day, func.sum(ReputationEvent.amount))
        .where(ReputationEvent.user_id.in_(list(ids.values())),
               ReputationEvent.reason.in_(reputation.CAPPED))
        .group_by(ReputationEvent.user_id, day)
    )
    for _user_id, _day, total in rows:
        assert total <= RULES["daily_vote_cap"]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(actions, min_size=15, max_size=40))
def test_random_histories_keep_cache_ledger_and_rules_equal(rules_app, clock, steps):
    model = Model(now=clock.set(START))
    ids, thread_ids, post_ids = _build_world()
    done = set()
    for action in steps:
        done.add(_run(action, model, ids, thread_ids, post_ids, clock))
        _check(model, ids)
    for outcome in done | ({"a serial vote"} if model.serial_votes else set()):
        event(outcome)
    _check_daily_cap(ids)
    assert reputation.recount().fixes == []


def test_model_crosses_midnight_caps_and_holds_serial_votes():
    """The model itself: 3 up votes in a day reach the cap of 30, the next day is fresh,
    and a second post of one author within six hours earns nothing."""
    model = Model(now=datetime(2030, 3, 30, 23, 0))
    for voter in ("voter0", "voter1", "mod", "helper1"):
        assert model.vote(voter, 1, 1)
    assert model.expected()["helper0"] == 31
    assert model.votes[("helper1", 1)].author_gets == 0  # capped
    model.now = datetime(2030, 3, 31, 0, 0)
    assert model.vote("helper1", 1, 0) and model.vote("helper1", 1, 1)
    assert model.expected()["helper0"] == 41
    assert model.day_net[("helper0", date(2030, 3, 31))] == 10
    assert model.vote("voter0", 5, 1)  # voter0's second post of helper0 within 6 hours
    assert model.votes[("voter0", 5)].author_gets == 0 and model.serial_votes == 1
    model.now = datetime(2030, 3, 31, 5, 0, 1)
    assert model.vote("voter1", 7, 1)  # six hours after voter1's first: not serial
    assert model.votes[("voter1", 7)].author_gets == 10


def test_model_checks_privileges_like_the_site():
    model = Model(now=datetime(2030, 3, 30, 12, 0))
    assert not model.vote("helper0", 1, 1)  # own post
    assert model.vote("helper1", 1, -1)  # 130 is enough to vote down; it costs 1
    for voter in ("voter0", "voter1", "mod"):
        assert model.vote(voter, 2, -1)
    assert model.expected()["helper1"] == 130 - 1 - 3 * 2
    assert not model.vote("helper1", 5, -1) and model.vote("helper1", 5, 1)
