"""What the KB pages and the API read: home, FAQ, an article with its neighbours, lists.

Each function loads everything its page shows in a fixed number of queries.
"""
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Article, ArticleFeedback, Board, Thread, User
from ..models.kb import ARTICLE_KINDS
from . import inputs, kb, search
from .boards import get_board
from .kb_feedback import my_feedback
from .kb_promotion import SourceChange, source_change
from .pagination import Page, paginate

PER_BOARD = 6
HIGHLIGHTS = 5


def _is_staff(viewer: User | None) -> bool:
    return viewer is not None and viewer.is_staff


def _published():
    return select(Article).where(Article.status == "published").options(
        joinedload(Article.board))


@dataclass
class BoardSection:
    """A product area with its first articles and how many it has in all."""

    board: Board
    articles: list[Article]
    total: int


@dataclass
class KbHome:
    sections: list[BoardSection]
    most_helpful: list[Article]
    recently_updated: list[Article]
    drafts: list[Article] = field(default_factory=list)
    faq_count: int = 0


def kb_home(viewer: User | None) -> KbHome:
    """The KB home: highlights, then each product area's articles and tutorials."""
    not_faq = Article.kind != "faq"
    ranked = (
        select(Article.id, func.row_number().over(
            partition_by=Article.board_id, order_by=(Article.title, Article.id)
        ).label("n"))
        .where(Article.status == "published", not_faq)
        .subquery()
    )
    firsts = db.session.scalars(
        _published().join(ranked, ranked.c.id == Article.id)
        .where(ranked.c.n <= PER_BOARD).order_by(Article.title, Article.id)
    )
    by_board: dict[int, list[Article]] = {}
    for article in firsts:
        by_board.setdefault(article.board_id, []).append(article)
    totals = dict(db.session.execute(
        select(Article.board_id, func.count()).where(Article.status == "published", not_faq)
        .group_by(Article.board_id)
    ).all())
    boards = db.session.scalars(select(Board).order_by(Board.position, Board.name))
    sections = [BoardSection(b, by_board[b.id], totals[b.id]) for b in boards if b.id in by_board]
    helpful = _published().where(Article.helpful_yes > 0).order_by(
        (Article.helpful_yes - Article.helpful_no).desc(), Article.id)
    recent = _published().order_by(Article.updated_at.desc(), Article.id.desc())
    home = KbHome(
        sections=sections,
        most_helpful=list(db.session.scalars(helpful.limit(HIGHLIGHTS))),
        recently_updated=list(db.session.scalars(recent.limit(HIGHLIGHTS))),
        faq_count=db.session.scalar(
            select(func.count(Article.id)).where(Article.status == "published",
                                                 Article.kind == "faq")) or 0,
    )
    if _is_staff(viewer):
        home.drafts = list(db.session.scalars(
            select(Article).where(Article.status == "draft")
            .options(joinedload(Article.board)).order_by(Article.updated_at.desc()).limit(50)
        ))
    return home


def faq_page() -> list[BoardSection]:
    """Every published FAQ entry, grouped by product area."""
    rows = db.session.scalars(
        _published().where(Article.kind == "faq").join(Article.board)
        .order_by(Board.position, Board.name, Article.title, Article.id)
    )
    sections: list[BoardSection] = []
    for article in rows:
        if not sections or sections[-1].board.id != article.board_id:
            sections.append(BoardSection(article.board, [], 0))
        sections[-1].articles.append(article)
        sections[-1].total += 1
    return sections


@dataclass
class ArticlePage:
    """An article with what its page shows around it."""

    article: Article
    moved: bool  # asked for by a former slug: redirect
    related_articles: list[Article]
    related_threads: list[Thread]
    my_feedback: ArticleFeedback | None
    source_change: SourceChange | None


def article_page(slug, viewer: User | None, visitor_id=None) -> ArticlePage:
    """Load an article for reading; staff also learn whether its source answer changed."""
    found, moved = kb.find_article(slug)
    article = kb.visible(found, viewer)
    if moved:
        return ArticlePage(article, True, [], [], None, None)
    related = search.related_to_article(viewer, article)
    return ArticlePage(
        article=article,
        moved=False,
        related_articles=[r.article for r in related.articles],
        related_threads=[r.thread for r in related.threads if r.is_solved],
        my_feedback=my_feedback(article, viewer, visitor_id),
        source_change=source_change(article) if _is_staff(viewer) else None,
    )


def list_articles(viewer: User | None, board=None, kind=None, page=1, per_page=30) -> Page:
    """Articles of one product area and/or kind, by title; staff also see drafts and archived."""
    query = select(Article).options(joinedload(Article.board))
    if not _is_staff(viewer):
        query = query.where(Article.status == "published")
    if board not in (None, ""):
        query = query.where(Article.board_id == get_board(board).id)
    if kind not in (None, ""):
        query = query.where(Article.kind == inputs.choice(kind, "kind", ARTICLE_KINDS))
    return paginate(query.order_by(Article.title, Article.id), page, per_page)
