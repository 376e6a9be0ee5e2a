"""Building moderation data for the tests: held items and serial-voting rows."""
from forum.extensions import db
from forum.models import SerialVote
from forum.timeutil import utcnow
from forum.transactions import write_transaction
from moderation.services import visibility


def hold(item):
    """Hold a post or comment as spam screening would (the users strand's service)."""
    with write_transaction():
        visibility.hide(db.session.merge(item), "held")
    return item


def serial_votes(voter, author, post, count: int = 2):
    """Votes of `voter` on `author`'s posts held back as serial voting."""
    with write_transaction():
        for _ in range(count):
            db.session.add(SerialVote(voter_id=voter.id, author_id=author.id, post_id=post.id,
                                      value=1, created_at=utcnow()))
