"""One table of who may do what, checked against permissions.can()."""
import pytest

from forum.models import Article
from forum.permissions import can, privileges_of
from tests.factories import make_answer, make_thread, make_user

ACTORS = ["anonymous", "asker", "answerer", "other", "moderator", "staff", "admin"]

# action -> the actors allowed, on an open thread with one answer
TABLE = {
    ("answer", "thread"): {"asker", "answerer", "other", "moderator", "staff", "admin"},
    ("comment", "answer"): {"asker", "answerer", "other", "moderator", "staff", "admin"},
    ("vote", "answer"): {"asker", "other", "moderator", "staff", "admin"},
    ("vote", "question"): {"answerer", "other", "moderator", "staff", "admin"},
    ("accept", "thread"): {"asker", "staff", "admin"},
    ("edit_post", "answer"): {"answerer", "moderator", "staff", "admin"},
    ("edit_post", "question"): {"asker", "moderator", "staff", "admin"},
    ("delete_post", "answer"): {"answerer", "moderator", "staff", "admin"},
    ("delete_post", "question"): {"moderator", "staff", "admin"},  # it has an answer
    ("view_thread", "thread"): set(ACTORS),
    ("create_board", None): {"admin"},
    ("write_kb", None): {"staff", "admin"},
    ("promote", "answer"): {"staff", "admin"},
    ("promote", "question"): set(),
    ("view_article", "published"): set(ACTORS),
    ("view_article", "draft"): {"staff", "admin"},
    ("view_article", "archived"): {"staff", "admin"},
    ("give_feedback", "published"): set(ACTORS),
    ("give_feedback", "draft"): set(),
}


@pytest.fixture
def world(app):
    asker, answerer = make_user(), make_user()
    thread = make_thread(asker)
    answer = make_answer(thread, answerer)
    actors = {
        "anonymous": None, "asker": asker, "answerer": answerer, "other": make_user(),
        "moderator": make_user(role="moderator"), "staff": make_user(role="staff"),
        "admin": make_user(role="admin"),
    }
    objects = {"thread": thread, "question": thread.question, "answer": answer, None: None}
    objects.update({status: Article(status=status) for status in ("published", "draft", "archived")})
    return actors, objects


@pytest.mark.parametrize("action,target", list(TABLE))
def test_permission_table(world, action, target):
    actors, objects = world
    allowed = {name for name, user in actors.items() if can(user, action, objects[target])}
    assert allowed == TABLE[(action, target)]


def test_locked_thread_blocks_everyone_but_moderators_editing(world):
    actors, objects = world
    objects["thread"].is_locked = True
    for name in ("asker", "answerer", "other"):
        user = actors[name]
        assert not can(user, "answer", objects["thread"])
        assert not can(user, "comment", objects["answer"])
        assert not can(user, "vote", objects["answer"])
        assert not can(user, "edit_post", objects["answer"])
    assert can(actors["moderator"], "edit_post", objects["answer"])


def test_privileges_grow_with_role(app):
    user, admin = make_user(), make_user(role="admin")
    assert "vote" in privileges_of(user) and "create_board" not in privileges_of(user)
    assert set(privileges_of(user)) < set(privileges_of(admin))
