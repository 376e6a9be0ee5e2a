"""The data model; importing this package registers every table."""
from .boards import Board
from .kb import Article, ArticleFeedback, ArticleRevision, ArticleSlug
from .reputation import BadgeAward, ReputationEvent, SerialVote
from .search import ExternalId, SuggestionClick
from .tasks import QueuedTask
from .threads import (Comment, CommentRevision, Post, PostRevision, Tag, Thread, Vote, listed,
                      thread_tags)
from .tickets import Ticket, TicketAttachment, TicketEvent, TicketMessage
from .users import ROLES, ApiToken, User

__all__ = [
    "ROLES",
    "ApiToken",
    "Article",
    "ArticleFeedback",
    "ArticleRevision",
    "ArticleSlug",
    "BadgeAward",
    "Board",
    "Comment",
    "CommentRevision",
    "ExternalId",
    "Post",
    "PostRevision",
    "QueuedTask",
    "ReputationEvent",
    "SuggestionClick",
    "SerialVote",
    "Tag",
    "Thread",
    "Ticket",
    "TicketAttachment",
    "TicketEvent",
    "TicketMessage",
    "User",
    "Vote",
    "listed",
    "thread_tags",
]
