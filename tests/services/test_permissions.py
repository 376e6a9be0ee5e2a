"""One table of who may do what, checked against permissions.can()."""
import pytest

from forum.models import Article
from forum.permissions import (
    PRIVILEGE_NAMES,
    answers_to,
    can,
    missing_privilege,
    privileges_of,
    progress,
)
from forum.services import threads
from tests.factories import make_answer, make_thread, make_user

ACTORS = ["anonymous", "asker", "answerer", "other", "voter", "veteran", "moderator", "staff",
          "admin"]
STAFF = {"moderator", "staff", "admin"}

# action -> the actors allowed, on an open thread with one answer. "other" is a new
# user (reputation 1), "voter" has 125 (votes both ways, comments anywhere) and
# "veteran" 1000 (edits others' posts).
TABLE = {
    ("answer", "thread"): set(ACTORS) - {"anonymous"},
    ("comment", "answer"): {"asker", "answerer", "voter", "veteran"} | STAFF,
    ("comment", "question"): {"asker", "voter", "veteran"} | STAFF,
    ("vote", "answer"): {"asker", "other", "voter", "veteran"} | STAFF,
    ("vote_up", "answer"): {"voter", "veteran"} | STAFF,
    ("vote_down", "answer"): {"voter", "veteran"} | STAFF,
    ("vote_up", "question"): {"voter", "veteran"} | STAFF,
    ("flag", "answer"): {"voter", "veteran"} | STAFF,
    ("accept", "thread"): {"asker", "staff", "admin"},
    ("edit_post", "answer"): {"answerer", "veteran"} | STAFF,
    ("edit_post", "question"): {"asker", "veteran"} | STAFF,
    ("delete_post", "answer"): {"answerer"} | STAFF,
    ("delete_post", "question"): STAFF,  # it has an answer
    ("restore_post", "answer"): STAFF,
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
    ("create_tags", None): {"veteran"} | STAFF,
    ("close_reopen", "thread"): {"veteran"} | STAFF,
    ("review_queue", None): STAFF,
    ("view_serial_votes", None): STAFF,
}


@pytest.fixture
def world(app):
    asker, answerer = make_user(), make_user()
    thread = make_thread(asker)
    answer = make_answer(thread, answerer)
    actors = {
        "anonymous": None, "asker": asker, "answerer": answerer, "other": make_user(),
        "voter": make_user(reputation=125), "veteran": make_user(reputation=1000),
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
    for name in ("asker", "answerer", "other", "veteran"):
        user = actors[name]
        assert not can(user, "answer", objects["thread"])
        assert not can(user, "comment", objects["answer"])
        assert not can(user, "vote", objects["answer"])
        assert not can(user, "edit_post", objects["answer"])
    assert can(actors["moderator"], "edit_post", objects["answer"])


def test_answers_say_what_can_and_missing_privilege_say(world):
    actors, objects = world
    actions = sorted({action for action, target in TABLE if target == "answer"})
    for user in actors.values():
        answers = answers_to(user, actions, objects["answer"])
        assert answers.allowed == {a for a in actions if can(user, a, objects["answer"])}
        assert answers.needs == {a: missing_privilege(user, a, objects["answer"]) for a in actions
                                 if missing_privilege(user, a, objects["answer"])}


def test_missing_privilege_names_only_what_points_would_fix(world):
    actors, objects = world
    answer = objects["answer"]
    assert missing_privilege(actors["other"], "vote_up", answer).name == "vote_up"
    assert missing_privilege(actors["voter"], "edit_post", answer).name == "edit_others"
    assert missing_privilege(actors["answerer"], "vote_up", answer) is None  # own post
    assert missing_privilege(None, "vote_up", answer) is None
    threads.delete_post(actors["moderator"], answer.id)
    assert missing_privilege(actors["other"], "vote_up", answer) is None  # deleted


def test_privileges_grow_with_reputation_and_role(app):
    user, admin = make_user(), make_user(role="admin")
    assert "ask" in privileges_of(user) and "create_board" not in privileges_of(user)
    assert not set(PRIVILEGE_NAMES) & set(privileges_of(user))
    assert set(privileges_of(user)) < set(privileges_of(admin))
    assert set(PRIVILEGE_NAMES) <= set(privileges_of(make_user(role="moderator")))
    fifty = privileges_of(make_user(reputation=50))
    assert {"vote_up", "flag", "comment_everywhere"} <= set(fifty)
    assert "vote_down" not in fifty


def test_progress_shows_the_distance(app):
    rows = {row.privilege.name: row for row in progress(make_user(reputation=100))}
    assert rows["vote_up"].earned and rows["vote_up"].percent == 100
    assert (rows["vote_down"].earned, rows["vote_down"].missing) == (False, 25)
    assert rows["vote_down"].percent == 80
    assert [row.threshold for row in progress(None)] == [15, 15, 50, 125, 150, 500, 1000, 2000]
