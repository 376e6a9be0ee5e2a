"""KB articles: writing, revisions and restore, renaming, workflow and who sees what."""
import pytest
from sqlalchemy import func, select

from forum.errors import Conflict, NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import Article, ArticleRevision, ArticleSlug
from forum.services import kb, kb_reading
from tests.factories import make_article, make_board, make_user


def _reload(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


@pytest.fixture
def staff(app):
    return make_user(role="staff")


# --- writing ---------------------------------------------------------------------------

def test_create_article_makes_draft_with_first_revision(staff):
    board = make_board()
    article = kb.create_article(staff, "Reset the X200 router", "## Steps\n\nHold reset.",
                                board.slug, "tutorial")
    assert (article.status, article.kind, article.slug) == ("draft", "tutorial", "reset-the-x200-router")
    assert article.board_id == board.id and article.author_id == staff.id
    assert '<h2 id="section-steps">Steps</h2>' in article.body_html
    assert article.toc == [{"level": 2, "id": "section-steps", "text": "Steps"}]
    revision = db.session.scalar(select(ArticleRevision))
    assert (revision.number, revision.title, revision.author_id) == (1, article.title, staff.id)
    assert article.published_at is None


@pytest.mark.parametrize("role", ["user", "moderator"])
def test_create_article_refused_for_non_staff(app, role):
    board = make_board()
    with pytest.raises(PermissionDenied):
        kb.create_article(make_user(role=role), "Reset the X200 router", "x" * 40, board.slug)
    with pytest.raises(PermissionDenied) as error:
        kb.create_article(None, "Reset the X200 router", "x" * 40, board.slug)
    assert error.value.code == "login_required"
    assert db.session.scalar(select(func.count(Article.id))) == 0


@pytest.mark.parametrize("title,body,board,kind,field", [
    ("short", "x" * 40, "ok", "article", "title"),
    ("A proper title here", "short", "ok", "article", "body"),
    ("A proper title here", "x" * 50_001, "ok", "article", "body"),
    ("A proper title here", "x" * 40, "missing", "article", "board"),
    ("A proper title here", "x" * 40, None, "article", "board"),
    ("A proper title here", "x" * 40, "ok", "video", "kind"),
    ("A proper title here", "x" * 40, ["ok"], "article", "board"),
    ("A proper\x00 title", "x" * 40, "ok", "article", "title"),
    (123, "x" * 40, "ok", "article", "title"),
])
def test_create_article_rejects_bad_input(staff, title, body, board, kind, field):
    make_board("ok")
    with pytest.raises(ValidationError) as error:
        kb.create_article(staff, title, body, board, kind)
    assert field in error.value.fields
    assert db.session.scalar(select(func.count(Article.id))) == 0


def test_same_title_gets_unique_slugs(staff):
    board = make_board()
    slugs = [kb.create_article(staff, "Wi-Fi drops at night", "x" * 40, board.slug).slug
             for _ in range(3)]
    assert slugs == ["wi-fi-drops-at-night", "wi-fi-drops-at-night-2", "wi-fi-drops-at-night-3"]


def test_reserved_slug_is_not_given(staff):
    article = kb.create_article(staff, "FAQ!!!!!!!!!!", "x" * 40, make_board().slug)
    assert article.slug == "faq-2"


def test_edit_keeps_revisions_with_summary_and_author(staff):
    article = make_article(staff)
    editor = make_user(role="admin")
    kb.edit_article(editor, article.slug, article.title, "New text that is long enough.",
                    summary="Clarified step 2")
    article = _reload(article)
    assert article.revision_count == 2 and article.updated_by_id == editor.id
    rows = kb.revisions(article.slug, editor)[1]
    assert [(r.number, r.summary, r.author_id) for r in rows] == [
        (1, "", staff.id), (2, "Clarified step 2", editor.id)]
    assert "New text" in article.body_html


def test_edit_without_change_makes_no_revision(staff):
    article = make_article(staff)
    kb.edit_article(staff, article.slug, article.title, article.body, summary="nothing")
    assert _reload(article).revision_count == 1


def test_edit_kind_and_board(staff):
    article = make_article(staff)
    other = make_board()
    kb.edit_article(staff, article.slug, article.title, article.body, "faq", other.slug)
    article = _reload(article)
    assert (article.kind, article.board_id, article.revision_count) == ("faq", other.id, 2)


def test_rename_keeps_old_slug_redirecting(staff):
    article = make_article(staff, title="Reset the X200 router")
    kb.edit_article(staff, article.slug, "Factory reset of the X200", article.body)
    article = _reload(article)
    assert article.slug == "factory-reset-of-the-x200"
    found, moved = kb.find_article("reset-the-x200-router")
    assert found.id == article.id and moved
    assert kb.get_article("reset-the-x200-router", None).id == article.id
    # The old slug stays taken: a new article cannot steal the old address.
    other = kb.create_article(staff, "Reset the X200 router", "x" * 40, article.board.slug)
    assert other.slug == "reset-the-x200-router-2"


def test_rename_back_reclaims_own_old_slug(staff):
    article = make_article(staff, title="Reset the X200 router")
    kb.edit_article(staff, article.slug, "Factory reset of the X200", article.body)
    kb.edit_article(staff, "factory-reset-of-the-x200", "Reset the X200 router", article.body)
    assert _reload(article).slug == "reset-the-x200-router"
    assert set(db.session.scalars(select(ArticleSlug.slug))) == {"factory-reset-of-the-x200"}


def test_restore_old_revision_as_new_revision(staff):
    article = make_article(staff, title="Original title here", body="Original body text here.")
    kb.edit_article(staff, article.slug, "Changed title here", "Changed body text here.")
    kb.restore_revision(staff, "changed-title-here", 1)
    article = _reload(article)
    assert (article.title, article.body, article.revision_count) == (
        "Original title here", "Original body text here.", 3)
    latest = kb.revisions(article.slug, staff)[1][-1]
    assert latest.number == 3 and latest.summary == "Restored version 1"
    assert "Original body" in article.body_html


@pytest.mark.parametrize("number", [99, "x", None, -1])
def test_restore_unknown_revision_fails(staff, number):
    article = make_article(staff)
    with pytest.raises((NotFound, ValidationError)):
        kb.restore_revision(staff, article.slug, number)
    assert _reload(article).revision_count == 1


def test_edit_unknown_article_is_not_found(staff):
    with pytest.raises(NotFound):
        kb.edit_article(staff, "no-such", "A proper title here", "x" * 40)
    with pytest.raises(NotFound):
        kb.publish_article(staff, "nul\x00slug")


# --- workflow ---------------------------------------------------------------------------

def test_publish_stamps_date_and_archive_retires(staff):
    article = make_article(staff, publish=False)
    assert article.status == "draft"
    kb.publish_article(staff, article.slug)
    article = _reload(article)
    assert article.status == "published" and article.published_at is not None
    successor = make_article(staff)
    kb.archive_article(staff, article.slug, successor.slug)
    article = _reload(article)
    assert article.status == "archived" and article.archived_at is not None
    assert article.replacement_id == successor.id
    kb.publish_article(staff, article.slug)  # back again
    article = _reload(article)
    assert (article.status, article.archived_at, article.replacement_id) == ("published", None, None)


def test_publish_twice_keeps_first_date(staff):
    article = make_article(staff)
    first = article.published_at
    assert kb.publish_article(staff, article.slug).published_at == first


@pytest.mark.parametrize("replacement", ["self", "draft", "missing"])
def test_archive_rejects_bad_replacement(staff, replacement):
    article = make_article(staff)
    draft = make_article(staff, publish=False)
    slug = {"self": article.slug, "draft": draft.slug, "missing": "nothing-here"}[replacement]
    with pytest.raises(ValidationError) as error:
        kb.archive_article(staff, article.slug, slug)
    assert "replacement" in error.value.fields
    assert _reload(article).status == "published"


@pytest.mark.parametrize("action", ["publish", "archive"])
def test_workflow_refused_for_users(staff, action):
    article = make_article(staff, publish=False)
    with pytest.raises(PermissionDenied):
        getattr(kb, f"{action}_article")(make_user(), article.slug)
    assert _reload(article).status == "draft"


# --- visibility ---------------------------------------------------------------------------

@pytest.mark.parametrize("viewer_role", [None, "user", "moderator"])
def test_draft_is_not_found_for_readers(staff, viewer_role):
    draft = make_article(staff, publish=False)
    viewer = make_user(role=viewer_role) if viewer_role else None
    with pytest.raises(NotFound) as error:
        kb.get_article(draft.slug, viewer)
    assert error.value.status == 404
    with pytest.raises(NotFound):
        kb_reading.article_page(draft.slug, viewer)
    assert kb_reading.list_articles(viewer).total == 0


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_staff_see_drafts_and_archived(staff, role):
    viewer = make_user(role=role)
    draft = make_article(staff, publish=False)
    archived = make_article(staff)
    kb.archive_article(staff, archived.slug)
    assert kb.get_article(draft.slug, viewer).id == draft.id
    assert kb.get_article(archived.slug, viewer).id == archived.id
    assert kb_reading.list_articles(viewer).total == 2
    assert [a.id for a in kb_reading.kb_home(viewer).drafts] == [draft.id]


def test_archived_article_tells_readers_its_replacement(staff):
    old, new = make_article(staff), make_article(staff)
    kb.archive_article(staff, old.slug, new.slug)
    with pytest.raises(kb.ArticleRetired) as error:
        kb.get_article(old.slug, make_user())
    assert error.value.replacement.id == new.id and error.value.status == 404
    kb.archive_article(staff, new.slug)  # a retired replacement is not offered
    with pytest.raises(kb.ArticleRetired) as error:
        kb.get_article(old.slug, None)
    assert error.value.replacement is None


def test_list_articles_filters_by_board_and_kind(staff):
    board, other = make_board(), make_board()
    faq = make_article(staff, board, kind="faq")
    make_article(staff, board, kind="tutorial")
    make_article(staff, other)
    assert kb_reading.list_articles(None, board=board.slug).total == 2
    page = kb_reading.list_articles(None, board=board.slug, kind="faq")
    assert [a.id for a in page.items] == [faq.id]
    with pytest.raises(ValidationError):
        kb_reading.list_articles(None, kind="video")
    with pytest.raises(NotFound):
        kb_reading.list_articles(None, board="nope")


def test_home_groups_by_board_and_faq_page(staff):
    router, app_board = make_board(name="Router"), make_board(name="App")
    a1 = make_article(staff, router, title="Alpha article here")
    faq = make_article(staff, router, kind="faq", title="Is it waterproof?")
    make_article(staff, app_board, publish=False)
    home = kb_reading.kb_home(None)
    assert [(s.board.id, [a.id for a in s.articles], s.total) for s in home.sections] == [
        (router.id, [a1.id], 1)]
    assert home.faq_count == 1 and home.drafts == []
    assert {a.id for a in home.recently_updated} == {a1.id, faq.id}
    assert [(s.board.id, [a.id for a in s.articles]) for s in kb_reading.faq_page()] == [
        (router.id, [faq.id])]


def test_home_shows_at_most_six_per_board(staff):
    board = make_board()
    for n in range(8):
        make_article(staff, board, title=f"Article number {n:02d} here")
    section = kb_reading.kb_home(None).sections[0]
    assert len(section.articles) == kb_reading.PER_BOARD and section.total == 8


def test_concurrent_style_duplicate_slug_is_conflict(staff, monkeypatch):
    article = make_article(staff)
    monkeypatch.setattr(kb, "_free_slug", lambda title, article_id=None: article.slug)
    with pytest.raises(Conflict):
        kb.create_article(staff, "Another title entirely", "x" * 40, article.board.slug)
    assert db.session.scalar(select(func.count(Article.id))) == 1
