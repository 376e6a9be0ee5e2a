from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite

from forum.extensions import db
from forum.models import Post, Vote
from forum.services.counters import increment
from tests.factories import make_answer, make_thread, make_user


def _vote_insert():
    """A first vote (nothing if the member voted there already), as votes are written."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return (dialect.insert(Vote)
            .values(user_id=bindparam("v_user"), post_id=bindparam("v_post"), value=1,
                    created_at=bindparam("v_at"))
            .on_conflict_do_nothing(index_elements=["user_id", "post_id"])
            .returning(Vote.id))


def _score(post_id) -> int:
    return db.session.scalar(select(Post.score).where(Post.id == post_id))


def _votes() -> int:
    return db.session.scalar(select(func.count(Vote.id)))


def test_increment_adds_in_sql_and_updates_the_loaded_row(app):
    answer = make_answer(make_thread())
    assert increment(Post, answer.id, score=3) == (3,)
    assert increment(Post, answer.id, score=-1) == (2,)
    assert answer.score == 2 == _score(answer.id)
    assert increment(Post, answer.id, score=0) == ()  # nothing to change: no statement


def test_a_row_written_along_moves_the_counter_once(app, count_queries):
    answer, voter = make_answer(make_thread()), make_user()
    values = {"v_user": voter.id, "v_post": answer.id, "v_at": datetime(2030, 1, 1)}
    insert = _vote_insert()
    with count_queries() as counter:
        assert increment(Post, answer.id, score=1, along=(insert, values)) == (1,)
    assert counter.count == (1 if db.engine.dialect.name == "postgresql" else 2)
    # The same vote again writes no row: the score stays, and the caller is told.
    assert increment(Post, answer.id, score=1, along=(insert, values)) is None
    assert _score(answer.id) == 1 and _votes() == 1


def test_a_row_written_along_with_no_change_is_still_written(app):
    answer, voter = make_answer(make_thread()), make_user()
    values = {"v_user": voter.id, "v_post": answer.id, "v_at": datetime(2030, 1, 1)}
    assert increment(Post, answer.id, score=0, along=(_vote_insert(), values)) == ()
    assert _votes() == 1 and _score(answer.id) == 0
