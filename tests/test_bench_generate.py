"""The benchmark's generated site keeps every invariant the services keep, so pages
measured on it behave as on a real site (counters, scores, reputation = 1 + ledger)."""
import importlib.util
from pathlib import Path

from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Board, Post, ReputationEvent, Thread, User, Vote
from forum.services import reputation

_spec = importlib.util.spec_from_file_location(
    "bench_generate", Path(__file__).resolve().parent.parent / "bench" / "generate.py")
generate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generate)


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def _sums(key, value) -> dict:
    return dict(db.session.execute(select(key, value).group_by(key)).all())


def test_the_tiny_site_has_its_sizes_and_consistent_counters(app):
    size = generate.build(app, "tiny")
    counts = [_count(select(model)) for model in (User, Thread, Post, Vote)]
    assert counts == [size.users, size.threads, size.posts, size.votes]
    assert reputation.recount().fixes == []
    answers = dict(db.session.execute(
        select(Post.thread_id, func.count()).where(Post.kind == "answer")
        .group_by(Post.thread_id)).all())
    assert all(t.answer_count == answers.get(t.id, 0) for t in db.session.scalars(select(Thread)))
    scores = _sums(Vote.post_id, func.sum(Vote.value))
    assert all(p.score == scores.get(p.id, 0) for p in db.session.scalars(select(Post)))
    for board in db.session.scalars(select(Board)):
        assert board.thread_count == _count(select(Thread).where(Thread.board_id == board.id))
    ledger = _sums(ReputationEvent.user_id, func.sum(ReputationEvent.amount))
    assert all(u.reputation == 1 + ledger.get(u.id, 0) for u in db.session.scalars(select(User)))


def test_the_generated_pages_render(app, client):
    generate.build(app, "tiny")
    thread = db.session.scalars(select(Thread).order_by(Thread.answer_count.desc())).first()
    assert thread.answer_count >= 30
    for url in ["/", f"/b/{thread.board.slug}", f"/t/{thread.id}/{thread.slug}", "/kb",
                "/kb/article-1"]:
        assert client.get(url).status_code == 200, url
