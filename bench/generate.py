"""Generate a realistic, deterministic Askdesk site by bulk inserts, for the benchmarks.

    python bench/generate.py --size large --database-url sqlite:////tmp/site.sqlite3
    python bench/generate.py --size large \
        --database-url postgresql+psycopg://postgres@127.0.0.1/bench

`--size large` is the issue's site: 20 boards, 50,000 users, 100,000 threads,
1,000,000 posts (answers per thread from a long-tailed distribution),
300,000 comments, 2,000,000 votes with the reputation ledger that matches
them, 500 KB articles and 5,000 tickets. `medium` is a fifth of that and
`small` a fiftieth, so the same run shows how cost grows with size (`tiny`,
a thousandth, is for the test that checks the generated site is consistent).

The services would take hours at this size, so rows go in by bulk inserts
that keep every counter the services keep (scores, answer and thread counts,
last activity, reputation = 1 + ledger sum). Markdown bodies come from a pool
rendered once: rendering and sanitising 1,000,000 posts would cost 40 minutes
for text that repeats anyway. The database must be empty; the schema comes
from the migrations. The search index is not built (`askdesk search reindex`).
"""
import argparse
import random
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Text from the search benchmark's vocabulary: support words first, then 6,000 made-up
# ones with Zipf-like frequencies, so that a word is in as many threads as in real text.
from bench.search import WORDS, sentence  # noqa: E402

SIZES = {"tiny": 1_000, "small": 50, "medium": 5, "large": 1}  # divisors of the large site
LARGE = {"boards": 20, "users": 50_000, "threads": 100_000, "posts": 1_000_000,
         "comments": 300_000, "votes": 2_000_000, "articles": 500, "tickets": 5_000}
BATCH = 20_000
BENCH_PASSWORD = "benchmark password"
START = datetime(2024, 1, 1)
SPAN_MINUTES = 2 * 365 * 24 * 60
PRODUCTS = ["router", "mesh", "modem", "camera", "doorbell", "thermostat", "plug", "bulb",
            "speaker", "hub", "app", "billing", "account", "sensor", "lock", "switch",
            "extender", "charger", "tablet", "watch"]
@dataclass(frozen=True)
class Size:
    boards: int
    users: int
    threads: int
    posts: int
    comments: int
    votes: int
    articles: int
    tickets: int

    @classmethod
    def named(cls, name: str) -> "Size":
        divisor = SIZES[name]
        scaled = {k: max(v // divisor, 1) for k, v in LARGE.items()}
        scaled["boards"] = LARGE["boards"]
        return cls(**scaled)


# --- text ---------------------------------------------------------------------------

def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng, rng.randint(6, 18)) for _ in range(rng.randint(2, 5)))


def markdown_body(rng: random.Random) -> str:
    """A post shaped like real support answers: paragraphs, sometimes code, lists, links."""
    parts = [paragraph(rng)]
    if rng.random() < 0.3:
        lines = [f"{rng.choice(WORDS)}_{rng.choice(WORDS)} = {rng.randint(0, 999)}"
                 for _ in range(rng.randint(2, 8))]
        parts.append("```\n" + "\n".join(lines) + "\n```")
    if rng.random() < 0.35:
        parts.append("\n".join(f"{i}. {sentence(rng, rng.randint(4, 10))}"
                               for i in range(1, rng.randint(3, 6))))
    if rng.random() < 0.25:
        parts.append(f"See [the {rng.choice(WORDS)} guide](https://example.com/help/"
                     f"{rng.choice(WORDS)}) for **details**.")
    parts.extend(paragraph(rng) for _ in range(rng.randint(0, 2)))
    return "\n\n".join(parts)


class BodyPool:
    """Markdown sources rendered once; rows pick one of them."""

    def __init__(self, rng: random.Random, size: int, make):
        from forum.rendering import render_markdown

        self.items = []
        for _ in range(size):
            source = make(rng)
            self.items.append((source, render_markdown(source)))

    def pick(self, rng: random.Random) -> tuple[str, str]:
        return self.items[rng.randrange(len(self.items))]


# --- the generator -----------------------------------------------------------------

class Generator:
    def __init__(self, size: Size, seed: int):
        from forum.extensions import db
        from forum.services.reputation import rules

        self.db = db
        self.size = size
        self.rng = random.Random(seed)
        self.points = rules()
        self.reputation = [1] * (size.users + 1)  # by user id; index 0 unused
        self.post_author: list[int] = [0]  # by post id
        self.post_thread: list[int] = [0]
        self.post_is_question: list[bool] = [False]
        self.post_created: list[datetime] = [START]
        self._ledger: list[dict] = []  # a batch's ledger rows, inserted after their posts

    def when(self, after: datetime | None = None) -> datetime:
        if after is None:
            return START + timedelta(minutes=self.rng.randrange(SPAN_MINUTES))
        return after + timedelta(minutes=self.rng.randint(1, 60 * 24 * 7))

    def insert(self, table: str, rows: list[dict]) -> None:
        if rows:
            self.db.session.execute(self.db.metadata.tables[table].insert(), rows)

    def run(self) -> None:
        steps = [self.users_and_boards, self.threads_and_posts, self.comments, self.votes,
                 self.articles, self.tickets, self.finish]
        for step in steps:
            started = time.perf_counter()
            step()
            self.db.session.commit()
            print(f"  {step.__name__}: {time.perf_counter() - started:.1f} s", flush=True)

    def users_and_boards(self) -> None:
        from flask import current_app
        from werkzeug.security import generate_password_hash

        # One hash for all: they all sign in with the same password.
        password = generate_password_hash(BENCH_PASSWORD,
                                          method=current_app.config["PASSWORD_HASH_METHOD"])
        roles = {1: "admin", 2: "staff", 3: "staff", 4: "moderator", 5: "moderator"}
        for first in range(1, self.size.users + 1, BATCH):
            self.insert("users", [{
                "id": i, "username": f"member{i}", "username_key": f"member{i}",
                "email": f"member{i}@example.com", "password_hash": password,
                "role": roles.get(i, "user"), "reputation": 1, "session_salt": f"{i:016x}",
                "created_at": START - timedelta(days=self.rng.randint(1, 900)),
            } for i in range(first, min(first + BATCH, self.size.users + 1))])
        self.insert("boards", [{
            "id": i + 1, "slug": product, "name": product.title(),
            "description": f"Questions about the {product}.", "position": i, "thread_count": 0,
        } for i, product in enumerate(PRODUCTS[: self.size.boards])])
        self.insert("tags", [{"id": i + 1, "name": word, "thread_count": 0}
                             for i, word in enumerate(sorted(set(WORDS)))])

    def answer_counts(self) -> list[int]:
        """Answers per thread: long-tailed (most have a few, some dozens), summing exactly."""
        target = self.size.posts - self.size.threads
        mean = target / self.size.threads
        counts = [min(int(self.rng.paretovariate(1.6) * mean * 0.4), 150)
                  for _ in range(self.size.threads)]
        counts[0] = max(counts[0], 40)  # the benchmark's long thread
        while sum(counts) != target:
            i = self.rng.randrange(1, len(counts))
            step = 1 if sum(counts) < target else -1
            if counts[i] + step >= 0:
                counts[i] += step
        return counts

    def threads_and_posts(self) -> None:
        from forum.services.content import slugify

        rng, size = self.rng, self.size
        pool = BodyPool(rng, 2_000, markdown_body)
        tag_count = len(set(WORDS))
        counts = self.answer_counts()
        threads, posts, revisions, tags, accepts = [], [], [], [], []
        post_id = 0
        for t in range(1, size.threads + 1):
            created = self.when()
            asker = rng.randint(1, size.users)
            board = rng.randint(1, size.boards)
            title = f"{PRODUCTS[board - 1].title()} {sentence(rng, rng.randint(4, 9))}"[:150]
            post_id += 1
            question_id = post_id
            kinds = [("question", asker, created)]
            last = created
            for _ in range(counts[t - 1]):
                last = self.when(last)
                kinds.append(("answer", rng.randint(1, size.users), last))
            answer_ids = list(range(question_id + 1, question_id + len(kinds)))
            accepted = rng.choice(answer_ids) if answer_ids and rng.random() < 0.5 else None
            for offset, (kind, author, when) in enumerate(kinds):
                pid = question_id + offset
                source, html = pool.pick(rng)
                posts.append({"id": pid, "thread_id": t, "author_id": author, "kind": kind,
                              "body": source, "body_html": html, "score": 0, "created_at": when})
                revisions.append({"post_id": pid, "number": 1, "author_id": author,
                                  "title": title if kind == "question" else None,
                                  "body": source, "summary": "", "created_at": when})
                self.post_author.append(author)
                self.post_thread.append(t)
                self.post_is_question.append(kind == "question")
                self.post_created.append(when)
            post_id = question_id + len(kinds) - 1
            threads.append({
                "id": t, "board_id": board, "author_id": asker, "title": title,
                "slug": slugify(title),
                "answer_count": len(kinds) - 1, "score": 0,
                "view_count": rng.randint(0, 5_000), "created_at": created,
                "last_activity_at": last, "last_activity_user_id": kinds[-1][1],
                "close_round": 0, "is_locked": False, "is_pinned": False,
            })
            for tag in rng.sample(range(1, tag_count + 1), rng.randint(1, 3)):
                tags.append({"thread_id": t, "tag_id": tag})
            if accepted is not None:
                accepts.append({"tid": t, "answer": accepted})
                self.accept(t, asker, accepted)
            if len(posts) >= BATCH or t == size.threads:
                self.insert("threads", threads)
                self.insert("posts", posts)
                self.insert("post_revisions", revisions)
                self.insert("thread_tags", tags)
                self.set_accepted(accepts)
                self.flush_ledger()
                threads, posts, revisions, tags, accepts = [], [], [], [], []
                print(f"\r    {t:,} threads, {post_id:,} posts", end="", flush=True)
        print()

    def set_accepted(self, accepts: list[dict]) -> None:
        """After the batch's posts exist: the threads' accepted answers."""
        from sqlalchemy import bindparam, update

        threads = self.db.metadata.tables["threads"]
        if accepts:
            self.db.session.execute(
                update(threads).where(threads.c.id == bindparam("tid"))
                .values(accepted_answer_id=bindparam("answer")), accepts)

    def ledger(self, user: int, amount: int, reason: str, source: str, post: int,
               actor: int | None, when: datetime) -> None:
        self.reputation[user] += amount
        self._ledger.append({
            "user_id": user, "amount": amount, "reason": reason, "source": source,
            "post_id": post, "thread_id": self.post_thread[post], "actor_id": actor,
            "created_at": when,
        })

    def flush_ledger(self) -> None:
        self.insert("reputation_events", self._ledger)
        self._ledger = []

    def accept(self, thread: int, asker: int, answer: int) -> None:
        answerer = self.post_author[answer]
        if answerer == asker:
            return
        when = self.when(self.post_created[answer])
        source = f"accept:{answer}"
        self.ledger(answerer, self.points["accepted"], "accepted", source, answer, asker, when)
        self.ledger(asker, self.points["accept_given"], "accept_given", source, answer, asker,
                    when)

    def comments(self) -> None:
        rng, size = self.rng, self.size
        pool = BodyPool(rng, 500, lambda r: sentence(r, r.randint(6, 30)))
        posts = len(self.post_author) - 1
        rows = []
        last_on_post: dict[int, int] = {}
        for c in range(1, size.comments + 1):
            post = rng.randint(1, posts)
            source, html = pool.pick(rng)
            parent = last_on_post.get(post) if rng.random() < 0.3 else None
            rows.append({"id": c, "post_id": post, "parent_id": parent,
                         "author_id": rng.randint(1, size.users), "body": source,
                         "body_html": html, "created_at": self.when(self.post_created[post])})
            last_on_post[post] = c
            if len(rows) >= BATCH:
                self.insert("comments", rows)
                rows = []
        self.insert("comments", rows)

    def votes(self) -> None:
        """Votes on posts (skewed: popular posts get many), each with its ledger rows."""
        rng, size = self.rng, self.size
        posts = len(self.post_author) - 1
        scores = [0] * (posts + 1)
        hot = rng.sample(range(1, posts + 1), min(posts, 2_000))  # a few posts get many votes
        rows, seen = [], set()
        made = 0
        while made < size.votes:
            post = hot[min(int(rng.paretovariate(1.2)), len(hot)) - 1] if rng.random() < 0.2 \
                else rng.randint(1, posts)
            voter = rng.randint(1, size.users)
            if voter == self.post_author[post] or (voter, post) in seen:
                continue
            seen.add((voter, post))
            made += 1
            value = 1 if rng.random() < 0.9 else -1
            scores[post] += value
            when = self.when(self.post_created[post])
            rows.append({"post_id": post, "user_id": voter, "value": value, "created_at": when})
            self.vote_ledger(voter, post, value, when)
            if len(rows) >= BATCH:
                self.insert("votes", rows)
                self.flush_ledger()
                rows = []
                print(f"\r    {made:,} votes", end="", flush=True)
        self.insert("votes", rows)
        self.flush_ledger()
        print()
        self.set_scores(scores)

    def vote_ledger(self, voter: int, post: int, value: int, when: datetime) -> None:
        source = f"vote:{voter}:{post}"
        author = self.post_author[post]
        if value > 0:
            self.ledger(author, self.points["upvote"], "upvote", source, post, voter, when)
            return
        self.ledger(author, self.points["downvote"], "downvote", source, post, voter, when)
        if not self.post_is_question[post]:
            self.ledger(voter, self.points["downvote_cast"], "downvote_cast", source, post,
                        voter, when)

    def set_scores(self, scores: list[int]) -> None:
        from sqlalchemy import bindparam, update

        from forum.models import Post, Thread

        changed = [(pid, s) for pid, s in enumerate(scores) if s]
        for first in range(0, len(changed), BATCH):
            chunk = changed[first:first + BATCH]
            self.db.session.execute(
                update(Post.__table__).where(Post.__table__.c.id == bindparam("pid"))
                .values(score=bindparam("s")), [{"pid": p, "s": s} for p, s in chunk])
            questions = [{"tid": self.post_thread[p], "s": s} for p, s in chunk
                         if self.post_is_question[p]]
            if questions:
                self.db.session.execute(
                    update(Thread.__table__).where(Thread.__table__.c.id == bindparam("tid"))
                    .values(score=bindparam("s")), questions)

    def articles(self) -> None:
        from forum.rendering import render_article

        rng, size = self.rng, self.size
        rows, revisions = [], []
        for a in range(1, size.articles + 1):
            source = "\n\n".join(f"## {sentence(rng, 4)}\n\n{markdown_body(rng)}"
                                 for _ in range(rng.randint(2, 4)))
            rendered = render_article(source)
            title = sentence(rng, rng.randint(4, 8)).rstrip(".")[:150]
            when = self.when()
            rows.append({
                "id": a, "slug": f"article-{a}", "title": title, "body": source,
                "body_html": rendered.html, "toc": rendered.toc,
                "kind": rng.choice(["article", "article", "faq", "tutorial"]),
                "status": "published", "board_id": rng.randint(1, size.boards),
                "author_id": 2, "revision_count": 1, "helpful_yes": rng.randint(0, 300),
                "helpful_no": rng.randint(0, 40), "created_at": when, "updated_at": when,
                "published_at": when,
            })
            revisions.append({"article_id": a, "number": 1, "author_id": 2, "title": title,
                              "body": source, "summary": "", "created_at": when})
        self.insert("kb_articles", rows)
        self.insert("kb_article_revisions", revisions)

    def tickets(self) -> None:
        rng, size = self.rng, self.size
        pool = BodyPool(rng, 300, paragraph)
        tickets, messages = [], []
        statuses = ["new", "open", "pending", "on_hold", "solved", "closed"]
        message_id = 0
        for t in range(1, size.tickets + 1):
            created = self.when()
            requester = rng.randint(6, size.users)
            status = rng.choice(statuses)
            tickets.append({
                "id": t, "subject": sentence(rng, rng.randint(4, 8))[:150], "status": status,
                "priority": rng.choice(["low", "normal", "normal", "high", "urgent"]),
                "category": "other", "requester_id": requester,
                "assignee_id": rng.choice([None, 2, 3]), "created_at": created,
                "updated_at": created, "due_at": created + timedelta(hours=24),
                "solved_at": created + timedelta(days=1) if status in ("solved", "closed")
                else None,
                "closed_at": created + timedelta(days=5) if status == "closed" else None,
            })
            when = created
            for n in range(rng.randint(1, 5)):
                message_id += 1
                source, html = pool.pick(rng)
                internal = n > 0 and rng.random() < 0.2
                messages.append({
                    "id": message_id, "ticket_id": t,
                    "author_id": requester if n % 2 == 0 and not internal else 2,
                    "body": source, "body_html": html, "is_internal": internal, "via": "web",
                    "created_at": when,
                })
                when = self.when(when)
        self.insert("tickets", tickets)
        self.insert("ticket_messages", messages)

    def finish(self) -> None:
        """The caches the services keep: reputation, board and tag counters, last activity."""
        from sqlalchemy import bindparam, text, update

        from forum.models import User

        users = User.__table__
        rows = [{"uid": i, "r": r} for i, r in enumerate(self.reputation) if i and r != 1]
        for first in range(0, len(rows), BATCH):
            self.db.session.execute(
                update(users).where(users.c.id == bindparam("uid"))
                .values(reputation=bindparam("r")),
                rows[first:first + BATCH])
        self.db.session.execute(text(
            "UPDATE boards SET thread_count = (SELECT count(*) FROM threads "
            "WHERE threads.board_id = boards.id), "
            "last_activity_at = (SELECT max(last_activity_at) FROM threads "
            "WHERE threads.board_id = boards.id)"))
        self.db.session.execute(text(
            "UPDATE boards SET last_thread_id = (SELECT id FROM threads "
            "WHERE threads.board_id = boards.id ORDER BY last_activity_at DESC, id DESC LIMIT 1)"))
        self.db.session.execute(text(
            "UPDATE tags SET thread_count = (SELECT count(*) FROM thread_tags "
            "WHERE thread_tags.tag_id = tags.id)"))
        if self.db.engine.dialect.name == "postgresql":
            self._reset_sequences()
            self.db.session.commit()
            # VACUUM sets the visibility map: without it index-only scans read the heap
            # and the planner avoids them, as no long-lived site would.
            with self.db.engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        else:
            self.db.session.execute(text("ANALYZE"))

    def _reset_sequences(self) -> None:
        from sqlalchemy import text

        for table in ("users", "boards", "tags", "threads", "posts", "comments", "kb_articles",
                      "tickets", "ticket_messages"):
            self.db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"))


def build(app, size_name: str, seed: int = 7) -> Size:
    """Migrate the app's (empty) database and fill it with a site of `size_name`."""
    from forum.schema import upgrade
    from sqlalchemy import func, select

    from forum.extensions import db
    from forum.models import User

    size = Size.named(size_name)
    with app.app_context():
        upgrade()
        if db.session.scalar(select(func.count()).select_from(User)):
            raise SystemExit("the database is not empty: generate into a new one")
        Generator(size, seed).run()
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=SIZES, default="small")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    from forum import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url})
    started = time.perf_counter()
    size = build(app, args.size, args.seed)
    print(f"{args.size}: {size} in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
