"""The knowledge base: write articles with revisions, publish and archive them, find them.

Staff write; readers see published articles only. Every save of the text is
a numbered revision (author, summary); restoring an old one saves it again
as a new revision. A title change renames the slug and keeps the old one
redirecting, so links never break.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from moderation import audit

from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..models import Article, ArticleRevision, ArticleSlug, Board, Post, User
from ..models.kb import ARTICLE_KINDS
from ..permissions import can, require
from ..rendering import render_article
from ..timeutil import utcnow
from ..transactions import transactional
from . import content, inputs
from .boards import get_board
from .indexing import index_article

BODY_MIN, BODY_MAX = 20, 50_000
SLUG_MAX = 80
# Paths under /kb that are pages, not articles.
RESERVED_SLUGS = frozenset({"b", "faq", "feedback", "new", "preview"})


class ArticleRetired(NotFound):
    """An archived article asked for by a reader; `replacement` is the published successor."""

    code = "article_retired"

    def __init__(self, message, *, replacement: Article | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.replacement = replacement


# --- input rules -------------------------------------------------------------------------

def article_body(value) -> str:
    """The Markdown body of an article."""
    return inputs.text(value, "body", min_len=BODY_MIN, max_len=BODY_MAX, label=_l("Body"))


def article_kind(value) -> str:
    """article, faq or tutorial."""
    return inputs.choice(value or "article", "kind", ARTICLE_KINDS)


def _board(value) -> Board:
    if value in (None, ""):
        raise ValidationError(_l("Choose a product area."), fields={"board": "is required"})
    try:
        return get_board(value)
    except NotFound:
        raise ValidationError(_l("No such product area."), fields={"board": "not found"})


def rendered(body: str, kind: str):
    """The article's HTML and contents; only tutorials embed videos."""
    return render_article(body, videos=kind == "tutorial")


# --- slugs ----------------------------------------------------------------------------------

def _slug_taken(slug: str, article_id: int | None) -> bool:
    if slug in RESERVED_SLUGS:
        return True
    current = db.session.scalar(select(Article.id).where(Article.slug == slug))
    if current is not None and current != article_id:
        return True
    old = db.session.scalar(select(ArticleSlug.article_id).where(ArticleSlug.slug == slug))
    return old is not None and old != article_id


def _free_slug(title: str, article_id: int | None = None) -> str:
    """A slug for `title` that no other article uses now or used before."""
    base = content.slugify(title)
    base = "article" if base == "thread" else base
    slug, n = base, 2
    while _slug_taken(slug, article_id):
        suffix = f"-{n}"
        slug, n = base[: SLUG_MAX - len(suffix)].rstrip("-") + suffix, n + 1
    return slug


def _rename(article: Article, title: str) -> None:
    """Give the article the slug of its new title; the old slug keeps redirecting."""
    slug = _free_slug(title, article.id)
    if slug == article.slug:
        return
    db.session.execute(
        delete(ArticleSlug).where(ArticleSlug.slug == slug, ArticleSlug.article_id == article.id)
    )
    db.session.add(ArticleSlug(slug=article.slug, article_id=article.id))
    article.slug = slug


# --- writing -------------------------------------------------------------------------------

def new_article(author: User, title: str, body: str, board: Board, kind: str,
                **source) -> Article:
    """Insert a draft and its first revision (inputs already checked; the caller's transaction)."""
    now = utcnow()
    page = rendered(body, kind)
    article = Article(
        slug=_free_slug(title), title=title, body=body, body_html=page.html, toc=page.toc,
        kind=kind, status="draft", board_id=board.id, author_id=author.id, created_at=now,
        updated_at=now, updated_by_id=author.id, revision_count=1, **source,
    )
    try:
        with db.session.begin_nested():  # a concurrent insert of the same slug (PostgreSQL)
            db.session.add(article)
    except IntegrityError:
        raise Conflict(_l("Someone saved an article with this title at the same moment. "
                          "Please try again."))
    db.session.add(ArticleRevision(
        article_id=article.id, number=1, author_id=author.id, title=title, body=body,
        summary="", created_at=now,
    ))
    return article


@transactional
def create_article(author: User, title, body, board, kind="article") -> Article:
    """Write a new draft article in a product area."""
    require(author, "write_kb")
    title, body = content.title(title), article_body(body)
    article = new_article(author, title, body, _board(board), article_kind(kind))
    audit.record(author, "create", "article", article.id,
                 after={"slug": article.slug, "title": title, "status": "draft"})
    return article


@transactional
def edit_article(editor: User, slug, title, body, kind=None, board=None,
                 summary="") -> Article:
    """Save a new revision of an article's text (and its kind or product area)."""
    require(editor, "write_kb")
    article = _for_write(slug)
    _save(article, editor, content.title(title), article_body(body),
          article_kind(kind or article.kind),
          article.board if board in (None, "") else _board(board), content.summary(summary))
    index_article(article.id)
    return article


@transactional
def restore_revision(editor: User, slug, number) -> Article:
    """Make an old revision's title and text current again, as a new revision."""
    require(editor, "write_kb")
    article = _for_write(slug)
    number = inputs.integer(number, "number")
    old = db.session.scalar(select(ArticleRevision).where(
        ArticleRevision.article_id == article.id, ArticleRevision.number == number,
    ))
    if old is None:
        raise NotFound(_l("No such revision."))
    summary = str(_l("Restored version %(number)s", number=number))
    _save(article, editor, old.title, old.body, article.kind, article.board, summary,
          action="restore_revision")
    index_article(article.id)
    return article


def _save(article: Article, editor: User, title: str, body: str, kind: str, board: Board,
          summary: str, action: str = "edit") -> None:
    if (title, body, kind, board.id) == (article.title, article.body, article.kind,
                                         article.board_id):
        return
    audit.record(editor, action, "article", article.id,
                 before={"revision": article.revision_count},
                 after={"revision": article.revision_count + 1})
    now = utcnow()
    if title != article.title:
        _rename(article, title)
    if (body, kind) != (article.body, article.kind):
        page = rendered(body, kind)
        article.body_html, article.toc = page.html, page.toc
    article.revision_count += 1
    db.session.add(ArticleRevision(
        article_id=article.id, number=article.revision_count, author_id=editor.id,
        title=title, body=body, summary=summary, created_at=now,
    ))
    article.title, article.body, article.kind, article.board_id = title, body, kind, board.id
    article.updated_at, article.updated_by_id = now, editor.id


@transactional
def publish_article(actor: User, slug) -> Article:
    """Publish a draft (or an archived article again), stamping the date."""
    require(actor, "write_kb")
    article = _for_write(slug)
    if article.status != "published":
        audit.record(actor, "publish", "article", article.id, before={"status": article.status},
                     after={"status": "published"})
        article.status, article.published_at = "published", utcnow()
        article.archived_at = article.replacement_id = None
    index_article(article.id)
    return article


@transactional
def archive_article(actor: User, slug, replacement=None) -> Article:
    """Retire an article; readers of its address are sent to `replacement` if given."""
    require(actor, "write_kb")
    article = _for_write(slug)
    successor = None
    if replacement not in (None, ""):
        successor, _old = find_article(replacement)
        if successor is None or successor.id == article.id or not successor.is_published:
            raise ValidationError(_l("The replacement must be another published article."),
                                  fields={"replacement": "not a published article"})
    audit.record(actor, "archive", "article", article.id, before={"status": article.status},
                 after={"status": "archived", "replacement": successor.slug if successor else None})
    article.status, article.archived_at = "archived", utcnow()
    article.replacement_id = successor.id if successor else None
    index_article(article.id)  # out of the index: readers no longer find it
    return article


def preview_article(viewer: User | None, text, kind=None) -> str:
    """Sanitised HTML for an article being written, exactly as saving would render it."""
    require(viewer, "write_kb")
    text = inputs.text(text, "body", max_len=BODY_MAX, label=_l("Body"))
    kind = kind if kind in ARTICLE_KINDS else "article"
    return rendered(text, kind).html if text else ""


def _for_write(slug) -> Article:
    """The article to change, locked against concurrent edits (PostgreSQL; SQLite locks all)."""
    found, _old = find_article(slug, lock=True)
    if found is None:
        raise NotFound(_l("No such article."))
    return found


# --- reading ----------------------------------------------------------------------------

def find_article(slug, *, lock: bool = False) -> tuple[Article | None, bool]:
    """The article with this slug, or whose former slug it is (then the flag is True)."""
    slug = inputs.lookup(slug, SLUG_MAX)
    if slug is None:
        return None, False
    query = select(Article).options(
        joinedload(Article.board), joinedload(Article.author), joinedload(Article.updated_by),
        joinedload(Article.source_post).joinedload(Post.author),
        joinedload(Article.source_thread), joinedload(Article.replacement),
    )
    if lock:
        query = query.with_for_update(of=Article)
    article = db.session.scalar(query.where(Article.slug == slug))
    if article is not None:
        return article, False
    old = query.join(ArticleSlug, ArticleSlug.article_id == Article.id)
    return db.session.scalar(old.where(ArticleSlug.slug == slug)), True


def visible(article: Article | None, viewer: User | None) -> Article:
    """`article` if `viewer` may read it; NotFound (ArticleRetired if archived) otherwise."""
    if article is None:
        raise NotFound(_l("No such article."))
    if not can(viewer, "view_article", article):
        if article.status == "archived":
            replacement = article.replacement
            raise ArticleRetired(
                _l("This article was retired."),
                replacement=replacement if replacement and replacement.is_published else None,
            )
        raise NotFound(_l("No such article."))
    return article


def get_article(slug, viewer: User | None) -> Article:
    """The article (by current or former slug) if `viewer` may read it."""
    article, _old = find_article(slug)
    return visible(article, viewer)


def promoted_from_post(viewer: User | None):
    """The join condition from a Post to the article promoted from it that `viewer` may see."""
    condition = Article.source_post_id == Post.id
    if viewer is not None and viewer.is_staff:
        return condition
    return and_(condition, Article.status == "published")


def revisions(slug, viewer: User | None) -> tuple[Article, list[ArticleRevision]]:
    """An article and its revisions, oldest first (staff only)."""
    require(viewer, "write_kb")
    article = get_article(slug, viewer)
    rows = db.session.scalars(
        select(ArticleRevision)
        .where(ArticleRevision.article_id == article.id)
        .options(joinedload(ArticleRevision.author))
        .order_by(ArticleRevision.number)
    )
    return article, list(rows)

