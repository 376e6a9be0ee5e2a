"""Model objects to the JSON shapes of API.md.

Pure functions of what the services loaded: none of them runs a query
beyond relationships the services have already loaded, so a list costs
the same number of queries whatever its length. The OpenAPI schemas in
`openapi_schemas.py` describe exactly these shapes (a test holds them equal).
"""
from ..links import document_path
from ..models import (
    Article,
    ArticleFeedback,
    Board,
    Comment,
    Post,
    PostRevision,
    ReputationEvent,
    Thread,
    User,
)
from ..permissions import privileges_of
from ..services.pagination import Page
from ..services.search import Result as SearchResult
from ..services.threads import CommentNode, ThreadPage
from ..timeutil import isoformat


def page_json(page: Page, item) -> dict:
    """The list envelope: items of one page and where it sits in the whole."""
    return {
        "items": [item(obj) for obj in page.items],
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
    }


def author_json(user: User) -> dict:
    """The small user object embedded in content."""
    return {"id": user.id, "username": user.username, "reputation": user.shown_reputation}


def user_json(user: User, stats: dict) -> dict:
    """A public profile; `stats` comes from services.accounts.user_stats."""
    return {
        "id": user.id,
        "username": user.username,
        "reputation": user.shown_reputation,
        "role": user.role,
        "created_at": isoformat(user.created_at),
        "answer_count": stats["answer_count"],
        "accepted_count": stats["accepted_count"],
    }


def me_json(user: User, stats: dict) -> dict:
    """The signed-in user's own profile: the public one plus email and privileges."""
    return {**user_json(user, stats), "email": user.email, "privileges": privileges_of(user)}


def ledger_event_json(event: ReputationEvent) -> dict:
    """One reputation ledger event."""
    return {
        "amount": event.amount,
        "reason": event.reason,
        "post_id": event.post_id,
        "created_at": isoformat(event.created_at),
    }


def board_json(board: Board) -> dict:
    """A board; `parent` is the parent board's slug."""
    return {
        "id": board.id,
        "slug": board.slug,
        "name": board.name,
        "description": board.description,
        "parent": board.parent.slug if board.parent is not None else None,
        "thread_count": board.thread_count,
    }


def thread_summary_json(thread: Thread) -> dict:
    """A thread without its posts, as board lists show it."""
    return {
        "id": thread.id,
        "board": thread.board.slug,
        "title": thread.title,
        "slug": thread.slug,
        "author": author_json(thread.author),
        "status": thread.status,
        "is_locked": thread.is_locked,
        "is_pinned": thread.is_pinned,
        "score": thread.score,
        "view_count": thread.view_count,
        "answer_count": thread.answer_count,
        "accepted_answer_id": thread.accepted_answer_id,
        "tags": [tag.name for tag in thread.tags],
        # Lists leave the ticket and the KB article out; the thread itself fills them.
        "ticket_id": None,
        "kb_article_slug": None,
        "created_at": isoformat(thread.created_at),
        "last_activity_at": isoformat(thread.last_activity_at),
    }


def thread_json(page: ThreadPage) -> dict:
    """A thread with its question and answers (accepted first), from threads.thread_page."""
    def post(p: Post) -> dict:
        return post_json(p, page.comments.get(p.id, []), page.my_votes.get(p.id, 0))

    return {
        **thread_summary_json(page.thread),
        "ticket_id": page.ticket_id,
        "kb_article_slug": _kb_article_slug(page),
        "question": post(page.question),
        "answers": [post(answer) for answer in page.answers],
    }


def _kb_article_slug(page: ThreadPage) -> str | None:
    """The article promoted from the accepted answer, else from the earliest promoted post."""
    articles = page.kb_articles
    if not articles:
        return None
    article = articles.get(page.thread.accepted_answer_id) or articles[min(articles)]
    return article.slug


def post_json(post: Post, comment_trees: list[CommentNode], my_vote: int) -> dict:
    """A post with its comments flattened (each reply right after its parent)."""
    return {
        "id": post.id,
        "thread_id": post.thread_id,
        "kind": post.kind,
        "author": author_json(post.author),
        "body": post.body,
        "body_html": post.body_html,
        "score": post.score,
        "is_accepted": post.thread.accepted_answer_id == post.id,
        "is_staff_answer": post.is_staff_answer,
        "is_deleted": post.deleted_at is not None,
        "is_held": post.hidden_reason == "held",
        "my_vote": my_vote,
        "comments": [comment_json(c) for c in flatten_comments(comment_trees)],
        "created_at": isoformat(post.created_at),
        "edited_at": isoformat(post.edited_at),
    }


def flatten_comments(trees: list[CommentNode]) -> list[Comment]:
    """Comment trees in reading order: depth first, oldest sibling first."""
    flat: list[Comment] = []
    stack = list(reversed(trees))
    while stack:
        node = stack.pop()
        flat.append(node.comment)
        stack.extend(reversed(node.replies))
    return flat


def comment_json(comment: Comment) -> dict:
    """A comment; `parent_id` is the comment it replies to."""
    return {
        "id": comment.id,
        "post_id": comment.post_id,
        "parent_id": comment.parent_id,
        "author": author_json(comment.author),
        "body": comment.body,
        "body_html": comment.body_html,
        "is_deleted": comment.deleted_at is not None,
        "is_held": comment.hidden_reason == "held",
        "created_at": isoformat(comment.created_at),
    }


def revision_json(revision: PostRevision) -> dict:
    """One saved version of a post."""
    return {
        "number": revision.number,
        "author": author_json(revision.author),
        "title": revision.title,
        "body": revision.body,
        "summary": revision.summary,
        "created_at": isoformat(revision.created_at),
    }


def vote_json(score: int, my_vote: int) -> dict:
    """The result of a vote (the service accepts 1.0 for 1; the API answers integers)."""
    return {"score": int(score), "my_vote": int(my_vote)}


def search_result_json(result: SearchResult) -> dict:
    """One search hit: what it is, where it lives, and a highlighted snippet."""
    return {
        "type": result.doc_type,
        "id": result.doc_id,
        "title": result.title,
        "url": document_path(result.doc_type, result.target),
        "snippet_html": str(result.snippet_html),
        "score": round(result.relevance, 4),
        "is_solved": result.is_solved,
    }


def article_json(article: Article) -> dict:
    """A knowledge-base article; `board` is the board's slug."""
    return {
        "slug": article.slug,
        "title": article.title,
        "body": article.body,
        "body_html": article.body_html,
        "kind": article.kind,
        "board": article.board.slug,
        "status": article.status,
        "source_thread_id": article.source_thread_id,
        "helpful_yes": article.helpful_yes,
        "helpful_no": article.helpful_no,
        "updated_at": isoformat(article.updated_at),
    }


def feedback_json(feedback: ArticleFeedback) -> dict:
    """A reader's "was this helpful?" answer."""
    return {
        "helpful": feedback.helpful,
        "comment": feedback.comment,
        "created_at": isoformat(feedback.created_at),
        "updated_at": isoformat(feedback.updated_at),
    }
