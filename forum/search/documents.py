"""What goes into the index and what comes out, the same for every backend."""
import math
from dataclasses import dataclass
from datetime import datetime

SORTS = ("relevance", "newest", "votes")
# Snippets mark matched words with these two characters; `snippets.to_html`
# escapes everything else and turns them into <mark> elements.
MARK_START, MARK_END = "\x02", "\x03"


@dataclass(frozen=True)
class Document:
    """One searchable item: a thread (question and its answers) or a KB article."""

    doc_type: str  # "thread" or "kb"
    doc_id: int
    title: str
    body: str  # plain text
    board: str  # the board's slug
    tags: tuple[str, ...]
    is_solved: bool
    score: int
    created_at: datetime
    updated_at: datetime

    @property
    def key(self) -> str:
        return f"{self.doc_type}:{self.doc_id}"

    @property
    def boost(self) -> float:
        """Rank solved threads, well-voted ones and KB articles higher at equal relevance."""
        boost = 1.0 + 0.1 * math.log1p(max(self.score, 0))
        if self.doc_type == "kb":
            boost += 0.3
        elif self.is_solved:
            boost += 0.2
        return boost


@dataclass(frozen=True)
class Hit:
    """One result: which document, how relevant, and a snippet with marked matches."""

    doc_type: str
    doc_id: int
    relevance: float
    snippet: str  # plain text with MARK_START/MARK_END around matches


@dataclass(frozen=True)
class HitPage:
    """One page of hits and the number of matching documents: exact, or for a query
    matching a large part of a big index an estimate (`exact` False)."""

    hits: list[Hit]
    total: int
    exact: bool = True


def about(estimate: int, counted: int = 0) -> int:
    """An estimated total as shown: two significant digits, never below what was counted."""
    digits = max(0, len(str(estimate)) - 2)
    return max(counted, round(estimate, -digits))
