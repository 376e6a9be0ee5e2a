"""The data model; importing this package registers every table."""
from .boards import Board
from .reputation import BadgeAward, ReputationEvent, SerialVote
from .threads import Comment, Post, PostRevision, Tag, Thread, Vote, thread_tags
from .users import ROLES, ApiToken, User

__all__ = [
    "ROLES",
    "ApiToken",
    "BadgeAward",
    "Board",
    "Comment",
    "Post",
    "PostRevision",
    "ReputationEvent",
    "SerialVote",
    "Tag",
    "Thread",
    "User",
    "Vote",
    "thread_tags",
]
