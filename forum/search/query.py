"""The search box's query language, parsed into a backend-neutral form.

Supported: plain words (all must match), "quoted phrases", -word and
-"phrase" to exclude, board:slug, tag:name, is:solved / is:unsolved and
type:thread / type:kb. Anything else that looks like an operator is read
as plain words, so no input is a syntax error.
"""
import re
from dataclasses import dataclass, replace

DOC_TYPES = ("thread", "kb")
MAX_QUERY_LENGTH = 500
MAX_TERMS = 32

_TOKEN = re.compile(r'(-?)(?:"([^"]*)"?|(\S+))')
_WORD = re.compile(r"\w+(?:[.+#'-]\w+)*[+#]*", re.UNICODE)


@dataclass(frozen=True)
class ParsedQuery:
    """What the user asked for: words and phrases to match, exclusions, filters."""

    terms: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[str, ...] = ()
    excluded_phrases: tuple[tuple[str, ...], ...] = ()
    board: str | None = None
    tags: tuple[str, ...] = ()
    solved: bool | None = None
    doc_type: str | None = None

    @property
    def has_text(self) -> bool:
        """Whether there is anything to match (else: list everything that passes the filters)."""
        return bool(self.terms or self.phrases)

    def with_filters(self, *, board=None, doc_type=None, solved=None) -> "ParsedQuery":
        """The same query with explicit filters (from form fields or API parameters) on top."""
        return replace(
            self,
            board=board if board is not None else self.board,
            doc_type=doc_type if doc_type is not None else self.doc_type,
            solved=solved if solved is not None else self.solved,
        )


def words(text: str) -> list[str]:
    """The words of `text`, lower-cased, in order (punctuation dropped)."""
    return [w.lower() for w in _WORD.findall(text)]


def parse(text: str | None) -> ParsedQuery:
    """Parse the search box text; never raises."""
    text = (text or "")[:MAX_QUERY_LENGTH]
    terms: list[str] = []
    phrases: list[tuple[str, ...]] = []
    excluded: list[str] = []
    excluded_phrases: list[tuple[str, ...]] = []
    filters: dict = {"tags": []}
    for match in _TOKEN.finditer(text):
        negate, quoted, bare = match.group(1) == "-", match.group(2), match.group(3)
        if quoted is not None:
            phrase = tuple(words(quoted))
            target = excluded_phrases if negate else phrases
            if len(phrase) == 1:
                (excluded if negate else terms).append(phrase[0])
            elif phrase:
                target.append(phrase)
            continue
        if not negate and _apply_filter(bare, filters):
            continue
        (excluded if negate else terms).extend(words(bare))
    return ParsedQuery(
        terms=tuple(dict.fromkeys(terms))[:MAX_TERMS],
        phrases=tuple(phrases)[:MAX_TERMS],
        excluded=tuple(dict.fromkeys(excluded))[:MAX_TERMS],
        excluded_phrases=tuple(excluded_phrases)[:MAX_TERMS],
        board=filters.get("board"),
        tags=tuple(dict.fromkeys(filters["tags"]))[:MAX_TERMS],
        solved=filters.get("solved"),
        doc_type=filters.get("doc_type"),
    )


def _apply_filter(token: str, filters: dict) -> bool:
    """Read board:, tag:, is: and type: into `filters`; False if `token` is no filter."""
    name, sep, value = token.partition(":")
    if not sep or not value:
        return False
    name, value = name.lower(), value.lower()
    if name == "board":
        filters["board"] = value[:64]
    elif name == "tag":
        filters["tags"].append(value[:35])
    elif name == "is" and value in ("solved", "unsolved", "answered", "unanswered"):
        filters["solved"] = value in ("solved", "answered")
    elif name == "type" and value in DOC_TYPES:
        filters["doc_type"] = value
    elif name == "type" and value in ("threads", "question", "questions"):
        filters["doc_type"] = "thread"
    else:
        return False
    return True
