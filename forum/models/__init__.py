"""The data model; importing this package registers every table."""
from .boards import Board
from .kb import Article, ArticleFeedback, ArticleRevision, ArticleSlug
from .reputation import ReputationEvent
from .threads import Comment, Post, PostRevision, Tag, Thread, Vote, thread_tags
from .users import ROLES, ApiToken, User

__all__ = [
    "ROLES",
    "ApiToken",
    "Article",
    "ArticleFeedback",
    "ArticleRevision",
    "ArticleSlug",
    "Board",
    "Comment",
    "Post",
    "PostRevision",
    "ReputationEvent",
    "Tag",
    "Thread",
    "User",
    "Vote",
    "thread_tags",
]
