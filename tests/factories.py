"""Plain factory functions that build data through the services."""
import itertools

from forum.errors import ValidationError
from forum.extensions import db
from forum.models import ReputationEvent, User
from forum.services import accounts, boards, content, threads
from forum.services.counters import increment
from forum.timeutil import utcnow
from forum.transactions import write_transaction

PASSWORD = "correct horse battery"
# Enough for every privilege below editing others' posts: vote up and down,
# comment everywhere, create tags, cast close votes.
TRUSTED = 500
_seq = itertools.count(1)


def give_reputation(user, amount: int):
    """Give `user` reputation through the ledger: a "seed" event and the cached sum."""
    with write_transaction():
        db.session.add(ReputationEvent(
            user_id=user.id, amount=amount, reason="seed", source="seed", created_at=utcnow(),
        ))
        increment(User, user.id, reputation=amount)
    return user


def make_user(username: str | None = None, *, role: str = "user", password: str = PASSWORD,
              reputation: int | None = None):
    """A user; `reputation` gives them that much (through the ledger) from the start."""
    n = next(_seq)
    username = username or f"user{n}"
    user = accounts.register(username, f"{username.lower()}@example.com", password, role=role)
    if reputation is not None and reputation != user.reputation:
        give_reputation(user, reputation - user.reputation)
    return user


def make_voter(**kwargs):
    """A user with the reputation to vote up and down and to comment anywhere."""
    return make_user(reputation=TRUSTED, **kwargs)


def make_board(slug: str | None = None, name: str | None = None):
    n = next(_seq)
    slug = slug or f"board-{n}"
    return boards.create_board(None, slug, name or f"Board {n}", f"About board {n}.")


def make_tags(*names: str):
    """Make sure the tags exist, as staff would set them up."""
    tags = content.tags_for(content.tag_names(list(names), limit=None))
    db.session.commit()
    return tags


def make_thread(author=None, board=None, *, title=None, body=None, tags=None):
    """A thread; its tags are created first, so that any author may use them."""
    author = author or make_user()
    board = board or make_board()
    n = next(_seq)
    if tags:
        try:
            make_tags(*content.tag_names(tags, limit=None))
        except ValidationError:
            pass  # ask_question says what is wrong with them
    return threads.ask_question(
        author,
        board.slug,
        title or f"How do I fix problem number {n}?",
        body or f"I have problem number {n} and tried restarting the device twice.",
        tags,
    )


def make_answer(thread, author=None, *, body=None):
    # A numbered body: spam screening holds the same text posted again in another thread.
    author = author or make_user()
    n = next(_seq)
    return threads.post_answer(
        author, thread.id, body or f"Hold the reset button for ten seconds, then retry ({n})."
    )


def make_article(author=None, board=None, *, title=None, body=None, kind="article",
                 publish=True):
    """A KB article by a staff member, published unless `publish` is False."""
    from forum.services import kb

    author = author or make_user(role="staff")
    board = board or make_board()
    n = next(_seq)
    article = kb.create_article(
        author, title or f"How to solve problem number {n}",
        body or f"## Steps\n\nDo the first thing for problem {n}, then the second.", board.slug,
        kind,
    )
    return kb.publish_article(author, article.slug) if publish else article
