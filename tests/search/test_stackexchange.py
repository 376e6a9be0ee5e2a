"""The Stack Exchange importer, on the real dumps in ../shared/data."""
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Comment, Post, Thread, User
from forum.services import accounts, search, stackexchange
from tests.conftest import shared_path
from tests.factories import make_board, make_user


def test_derive_username_follows_the_rules_and_never_clashes():
    taken = {"anna"}
    assert stackexchange.derive_username("Anna", 5, taken) == "Anna-2"
    assert stackexchange.derive_username("José Müller", 6, taken) == "Jose_Muller"
    assert stackexchange.derive_username("李", 7, taken) == "user7"
    assert stackexchange.derive_username("x" * 40, 8, taken) == "x" * 30
    assert stackexchange.derive_username("x" * 40, 9, taken) == "x" * 28 + "-2"
    assert stackexchange.derive_username(None, 0, taken) == "former-member"
    assert len({name.lower() for name in taken}) == len(taken)


def test_tag_names_read_both_schemas():
    assert stackexchange.tag_names("<wifi><zigbee>") == ["wifi", "zigbee"]
    assert stackexchange.tag_names("|discussion|on-topic|") == ["discussion", "on-topic"]
    assert stackexchange.tag_names("<Bad Tag!><ok>") == ["ok"]


def test_import_is_complete_and_idempotent(app):
    dump = shared_path("data", "stackexchange-conlang-meta")
    make_board("meta")
    make_user("Community")  # an existing name: the import must pick another
    report = stackexchange.import_dump(dump, "meta")
    assert report.users > 100 and report.questions > 50 and report.answers > 50
    assert report.comments > 100 and report.bodies > 0
    threads = db.session.scalar(select(func.count(Thread.id)))
    assert threads == report.questions
    assert db.session.scalar(select(func.count(Comment.id))) == report.comments
    again = stackexchange.import_dump(dump, "meta")
    assert (again.users, again.questions, again.answers, again.comments, again.duplicates) == (
        0, 0, 0, 0, 0)
    assert db.session.scalar(select(func.count(Thread.id))) == threads
    first = db.session.scalar(select(Thread).order_by(Thread.id))
    assert first.title == "Are questions asked in conlangs accepted on this site?"
    assert first.score == 10 and first.accepted_answer_id is not None
    assert [t.name for t in first.tags] == ["discussion", "on-topic"]
    question = db.session.scalar(select(Post).where(Post.thread_id == first.id,
                                                    Post.kind == "question"))
    assert "**do we accept questions asked in (popular) conlangs?**" in question.body
    assert "<strong>" in question.body_html and "<script" not in question.body_html
    names = list(db.session.scalars(select(User.username)))
    assert all(accounts.USERNAME_RE.fullmatch(n) for n in names)
    assert len({n.lower() for n in names}) == len(names)
    imported = db.session.scalar(select(User).where(User.username != "Community").limit(1))
    assert accounts.authenticate(imported.username, "") is None
    assert search.search_page(None, "conlangs").total > 0


def test_import_links_duplicates(app):
    dump = shared_path("data", "stackexchange-iot")
    make_board("iot")
    report = stackexchange.import_dump(dump, "iot")
    assert report.duplicates >= 1
    duplicate = db.session.scalar(select(Thread).where(Thread.duplicate_of_id.is_not(None)))
    assert duplicate.close_reason == "duplicate" and duplicate.closed_at is not None


def test_import_cli_reports_and_refuses_unknown_board(runner, app):
    dump = shared_path("data", "stackexchange-conlang-meta")
    missing = runner.invoke(args=["askdesk", "import", "stackexchange", str(dump),
                                  "--board", "nope"])
    assert missing.exit_code != 0
    make_board("meta")
    result = runner.invoke(args=["askdesk", "import", "stackexchange", str(dump),
                                 "--board", "meta"])
    assert result.exit_code == 0, result.output
    assert "questions" in result.output

