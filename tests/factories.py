"""Plain factory functions that build data through the services."""
import itertools

from forum.services import accounts, boards, threads

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def make_user(username: str | None = None, *, role: str = "user", password: str = PASSWORD):
    n = next(_seq)
    username = username or f"user{n}"
    return accounts.register(username, f"{username.lower()}@example.com", password, role=role)


def make_board(slug: str | None = None, name: str | None = None):
    n = next(_seq)
    slug = slug or f"board-{n}"
    return boards.create_board(None, slug, name or f"Board {n}", f"About board {n}.")


def make_thread(author=None, board=None, *, title=None, body=None, tags=None):
    author = author or make_user()
    board = board or make_board()
    n = next(_seq)
    return threads.ask_question(
        author,
        board.slug,
        title or f"How do I fix problem number {n}?",
        body or f"I have problem number {n} and tried restarting the device twice.",
        tags,
    )


def make_answer(thread, author=None, *, body=None):
    author = author or make_user()
    return threads.post_answer(
        author, thread.id, body or "Hold the reset button for ten seconds, then retry."
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
