"""Importing a Stack Exchange data dump into a board.

The XML files are streamed with iterparse and every element is cleared once
read, so memory stays flat however large the dump; only id maps (integers)
are kept. Each imported row records its source id in `external_ids`, so a
second run adds nothing. Bodies: Posts.xml has the rendered HTML, which goes
through the same sanitiser as our own posts; the Markdown source comes from
PostHistory.xml (type 2 = first version, 5 = edits, the latest wins).
Scores, view counts, dates, accepted answers, tags, comments and
closed-as-duplicate links (PostLinks type 3) come along; Votes.xml is not
needed, since its votes are anonymous and the scores are in Posts.xml.
Imported people get usernames that follow our rules and a password hash
that matches no password, so nobody can sign in as them.
"""
import re
import secrets
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update

from ..extensions import db
from ..models import Board, Comment, ExternalId, Post, PostRevision, Tag, Thread, User
from ..rendering import plain_text, render_markdown, sanitize
from ..transactions import write_transaction
from . import content, indexing
from .boards import get_board
from .counters import increment

BATCH = 500
FILES = ("Users.xml", "Posts.xml", "Posts.xml", "Comments.xml", "PostLinks.xml",
         "PostHistory.xml")
_TAGS = re.compile(r"<([^<>]+)>")
_NOT_USERNAME = re.compile(r"[^A-Za-z0-9_.\-]+")
FORMER_MEMBER = 0  # the external id of the stand-in for deleted accounts


@dataclass
class ImportReport:
    """What one run added (zeros on a second run of the same dump)."""

    users: int = 0
    questions: int = 0
    answers: int = 0
    comments: int = 0
    duplicates: int = 0
    bodies: int = 0
    thread_ids: list[int] = field(default_factory=list, repr=False)


class _CountingFile:
    """A binary file that reports how many bytes were read (for the progress bar)."""

    def __init__(self, path: Path, progress: Callable[[int], None]):
        self._file = path.open("rb")
        self._progress = progress

    def read(self, size: int = -1) -> bytes:
        data = self._file.read(size)
        self._progress(len(data))
        return data

    def close(self) -> None:
        self._file.close()


def rows(path: Path, progress: Callable[[int], None] = lambda n: None) -> Iterator[dict]:
    """The attributes of each <row> of a dump file, streamed."""
    source = _CountingFile(path, progress)
    try:
        for _event, element in ET.iterparse(source, events=("end",)):
            if element.tag == "row":
                yield dict(element.attrib)
            element.clear()  # keep memory flat: drop what was read
    finally:
        source.close()


def total_bytes(directory: Path) -> int:
    """How many bytes an import reads (Posts.xml twice), for the progress bar."""
    return sum((directory / name).stat().st_size for name in FILES if (directory / name).exists())


def _date(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _int(value: str | None) -> int | None:
    return int(value) if value not in (None, "") else None


def derive_username(display_name: str | None, external_id: int, taken: set[str]) -> str:
    """A username by our rules (3-30 of A-Z a-z 0-9 _ . -) not in `taken` (lower-cased)."""
    ascii_name = unicodedata.normalize("NFKD", display_name or "").encode("ascii", "ignore")
    base = _NOT_USERNAME.sub("_", ascii_name.decode().strip()).strip("_.-")[:30]
    if len(base) < 3:
        base = f"user{external_id}" if external_id else "former-member"
    candidate, n = base, 2
    while candidate.lower() in taken:
        suffix = f"-{n}"
        candidate, n = base[: 30 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def tag_names(raw: str | None) -> list[str]:
    """Tag names from "<a><b>" (older dumps) or "|a|b|" (newer), those our rules allow."""
    raw = raw or ""
    found = raw.split("|") if raw.startswith("|") else _TAGS.findall(raw)
    names = [name.strip().lower() for name in found if name.strip()]
    valid = [n for n in dict.fromkeys(names) if content.TAG_RE.fullmatch(n)]
    return valid[: content.MAX_TAGS]


class _Run:
    """The state of one import: the board, the id maps, what was added."""

    def __init__(self, directory: Path, board: Board, source: str, progress):
        self.directory, self.board, self.source, self.progress = directory, board, source, progress
        self.ids = {kind: self._known(kind) for kind in ("user", "question", "answer", "comment")}
        self.report = ImportReport()
        self.taken = set(db.session.scalars(select(User.username_key)))
        self.accepted: dict[int, int] = {}  # external answer id -> local thread id
        self.new_posts: dict[int, int] = {}  # external post id -> local post id (this run)

    def _known(self, kind: str) -> dict[int, int]:
        return dict(db.session.execute(
            select(ExternalId.external_id, ExternalId.local_id)
            .where(ExternalId.source == self.source, ExternalId.kind == kind)
        ).all())

    def _remember(self, kind: str, external_id: int, local_id: int) -> None:
        self.ids[kind][external_id] = local_id
        db.session.add(ExternalId(source=self.source, kind=kind, external_id=external_id,
                                  local_id=local_id))

    def _batches(self, name: str) -> Iterator[list[dict]]:
        path = self.directory / name
        if not path.exists():
            return
        batch: list[dict] = []
        for row in rows(path, self.progress):
            batch.append(row)
            if len(batch) >= BATCH:
                yield batch
                batch = []
        if batch:
            yield batch

    def _each_batch(self, name: str, handle: Callable[[dict], None]) -> None:
        for batch in self._batches(name):
            with write_transaction():
                for row in batch:
                    handle(row)

    # --- users -------------------------------------------------------------------
    def _user(self, row: dict) -> int:
        external_id = int(row["Id"])
        if external_id in self.ids["user"]:
            return self.ids["user"][external_id]
        username = derive_username(row.get("DisplayName"), external_id, self.taken)
        user = User(
            username=username, username_key=username.lower(),
            email=f"{username.lower()}@{self.source.replace(':', '-')}.imported.invalid",
            password_hash="!imported:" + secrets.token_hex(8),  # matches no password
            created_at=_date(row.get("CreationDate")),
        )
        db.session.add(user)
        db.session.flush()
        self._remember("user", external_id, user.id)
        self.report.users += 1
        return user.id

    def _author(self, row: dict, key: str = "OwnerUserId") -> int:
        found = self.ids["user"].get(_int(row.get(key)))
        if found is None:  # a deleted account: one stand-in per source
            found = self._user({"Id": str(FORMER_MEMBER), "DisplayName": "former-member"})
        return found

    # --- questions and answers ------------------------------------------------------
    def _post(self, thread_id: int, kind: str, row: dict, title=None) -> Post:
        html = sanitize(row.get("Body") or "")
        created = _date(row.get("CreationDate"))
        post = Post(thread_id=thread_id, author_id=self._author(row), kind=kind,
                    body=plain_text(html) or "-", body_html=html, score=int(row.get("Score") or 0),
                    created_at=created, edited_at=_date(row.get("LastEditDate")))
        db.session.add(post)
        db.session.flush()
        db.session.add(PostRevision(post_id=post.id, number=1, author_id=post.author_id,
                                    title=title, body=post.body, created_at=created))
        self.new_posts[int(row["Id"])] = post.id
        return post

    def _question(self, row: dict) -> None:
        external_id = int(row["Id"])
        if row.get("PostTypeId") != "1" or external_id in self.ids["question"]:
            return
        title = (row.get("Title") or "Untitled question")[: content.TITLE_MAX]
        created = _date(row.get("CreationDate"))
        tags = content.tags_for(tag_names(row.get("Tags")))
        thread = Thread(
            board_id=self.board.id, author_id=self._author(row), title=title,
            slug=content.slugify(title), tags=tags, score=int(row.get("Score") or 0),
            view_count=int(row.get("ViewCount") or 0), created_at=created,
            last_activity_at=_date(row.get("LastActivityDate")) or created,
            closed_at=_date(row.get("ClosedDate")),
            close_reason="closed" if row.get("ClosedDate") else None,
        )
        db.session.add(thread)
        db.session.flush()
        self._post(thread.id, "question", row, title=title)
        for tag in tags:
            increment(Tag, tag.id, thread_count=1)
        increment(Board, self.board.id, thread_count=1)
        self._remember("question", external_id, thread.id)
        if _int(row.get("AcceptedAnswerId")):
            self.accepted[int(row["AcceptedAnswerId"])] = thread.id
        self.report.questions += 1
        self.report.thread_ids.append(thread.id)

    def _answer(self, row: dict) -> None:
        external_id = int(row["Id"])
        thread_id = self.ids["question"].get(_int(row.get("ParentId")))
        if row.get("PostTypeId") != "2" or thread_id is None or external_id in self.ids["answer"]:
            return
        post = self._post(thread_id, "answer", row)
        increment(Thread, thread_id, answer_count=1)
        if self.accepted.get(external_id) == thread_id:
            db.session.execute(
                update(Thread).where(Thread.id == thread_id).values(accepted_answer_id=post.id)
            )
        self._remember("answer", external_id, post.id)
        self.report.answers += 1
        if thread_id not in self.report.thread_ids:
            self.report.thread_ids.append(thread_id)

    def posts(self) -> None:
        # Two passes: an answer may come before its question in the file.
        self._each_batch("Posts.xml", self._question)
        self._each_batch("Posts.xml", self._answer)

    # --- comments, duplicates, Markdown sources ----------------------------------------
    def _comment(self, row: dict) -> None:
        external_id = int(row["Id"])
        post_external = _int(row.get("PostId"))
        post_id = self.ids["answer"].get(post_external) or self._question_post(post_external)
        if post_id is None or external_id in self.ids["comment"]:
            return
        body = (row.get("Text") or "").strip()[: content.COMMENT_MAX] or "-"
        comment = Comment(
            post_id=post_id, author_id=self._author(row, "UserId"), body=body,
            body_html=render_markdown(body), created_at=_date(row.get("CreationDate")),
        )
        db.session.add(comment)
        db.session.flush()
        self._remember("comment", external_id, comment.id)
        self.report.comments += 1

    def _question_post(self, external_id: int | None) -> int | None:
        thread_id = self.ids["question"].get(external_id)
        if thread_id is None:
            return None
        return db.session.scalar(
            select(Post.id).where(Post.thread_id == thread_id, Post.kind == "question")
        )

    def _duplicate(self, row: dict) -> None:
        if row.get("LinkTypeId") != "3":
            return
        duplicate = self.ids["question"].get(_int(row.get("PostId")))
        original = self.ids["question"].get(_int(row.get("RelatedPostId")))
        if duplicate is None or original is None or duplicate == original:
            return
        thread = db.session.get(Thread, duplicate)
        if thread.duplicate_of_id == original:
            return
        thread.duplicate_of_id, thread.close_reason = original, "duplicate"
        thread.closed_at = thread.closed_at or _date(row.get("CreationDate"))
        self.report.duplicates += 1

    def _source(self, row: dict) -> None:
        post_id = self.new_posts.get(_int(row.get("PostId")))
        if post_id is None or row.get("PostHistoryTypeId") not in ("2", "5") or not row.get("Text"):
            return
        source = row["Text"].replace("\r\n", "\n")[: content.BODY_MAX]
        db.session.execute(update(Post).where(Post.id == post_id).values(body=source))
        db.session.execute(update(PostRevision).where(
            PostRevision.post_id == post_id, PostRevision.number == 1).values(body=source))
        self.report.bodies += 1

    def run(self) -> ImportReport:
        self._each_batch("Users.xml", self._user)
        self.posts()
        self._each_batch("Comments.xml", self._comment)
        self._each_batch("PostLinks.xml", self._duplicate)
        self._each_batch("PostHistory.xml", self._source)
        ids = self.report.thread_ids
        for start in range(0, len(ids), BATCH):  # the index learns of them once committed
            indexing.write_or_queue("thread", ids[start:start + BATCH])
        return self.report


def import_dump(directory, board_slug: str, *, source: str | None = None,
                progress: Callable[[int], None] = lambda n: None) -> ImportReport:
    """Import the dump in `directory` into the board; run it again and nothing is added."""
    directory = Path(directory)
    if not (directory / "Posts.xml").exists():
        raise FileNotFoundError(f"{directory} has no Posts.xml")
    board = get_board(board_slug)
    source = source or f"stackexchange:{directory.resolve().name}"[:64]
    return _Run(directory, board, source, progress).run()
