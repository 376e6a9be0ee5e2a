"""Signed-in viewers of one kind share the cached body of a thread page
(forum/web/thread_bodies.py): each sees exactly what a fresh render would show them."""
import re
from datetime import timedelta

import pytest

from forum.permissions import viewer_kind
from forum.services import comments, escalation, threads, votes
from forum.timeutil import utcnow
from forum.web import lazy_csrf, thread_bodies
from moderation.services import close_votes, suspensions
from tests.factories import make_answer, make_thread, make_user, make_voter
from tests.web.helpers import sign_in, text


@pytest.fixture
def cached(make_app):
    """An app with a real in-process cache (the other tests run with NullCache)."""
    return make_app(CACHE_TYPE="SimpleCache")


@pytest.fixture
def stored(monkeypatch):
    """The keys of the bodies rendered and stored, in order."""
    keys = []
    real_store = thread_bodies.store
    monkeypatch.setattr(thread_bodies, "store",
                        lambda key, body: keys.append(key) or real_store(key, body))
    return keys


def _client(app, user, **headers):
    client = app.test_client()
    if user is not None:
        sign_in(client, user)
    client.environ_base.update(headers)
    return client


def _main(client, thread) -> str:
    """The page's main column, each session's CSRF token blanked out."""
    page = text(client.get(f"/t/{thread.id}/{thread.slug}"))
    main = page[page.index("<main"):page.index("</main>")]
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', main)


def test_members_of_one_kind_share_a_body_and_keep_their_own_tokens(app, cached, stored):
    thread = make_thread(make_user(), title="The scanner jams on thick paper")
    make_answer(thread, make_voter(), body="Use the manual feed slot for card stock.")
    first, second = make_voter(), make_voter()
    assert viewer_kind(first) == viewer_kind(second)
    pages = [text(_client(cached, user).get(f"/t/{thread.id}/{thread.slug}"))
             for user in (first, second)]
    assert len(stored) == 1  # the second member's page was not rendered again
    tokens = [re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
              for page in pages]
    assert tokens[0] != tokens[1]
    for page, token in zip(pages, tokens):
        assert lazy_csrf.PLACEHOLDER not in page
        assert set(re.findall(r'name="csrf_token" value="([^"]*)"', page)) == {token}
    assert first.username in pages[0] and first.username not in pages[1]  # the header


def _viewers(thread, answer, moderator) -> dict:
    """Members in every relation to the thread, and some in none."""
    asker = thread.question.author
    commenter, voter, close_voter, suspended = make_voter(), make_voter(), make_voter(), make_voter()
    comments.add_comment(commenter, answer.id, "Does it happen with plain paper too?")
    votes.cast_vote(voter, answer.id, -1)
    close_votes.cast_vote(close_voter, thread.id, "unclear")
    suspensions.suspend(moderator, suspended.username, utcnow() + timedelta(days=2), "Spam.")
    return {
        "anonymous": None, "asker": asker, "answerer": answer.author, "commenter": commenter,
        "voter": voter, "close voter": close_voter, "suspended": suspended,
        "reader": make_voter(), "another reader": make_voter(),
        "newcomer": make_user(), "another newcomer": make_user(), "newcomer with 3": make_user(
            reputation=3), "trusted": make_user(reputation=1000), "moderator": moderator,
        "staff": make_user(role="staff"),
    }


def test_every_viewer_sees_what_a_fresh_render_shows_them(app, cached, stored):
    moderator = make_user(role="moderator")
    thread = make_thread(make_user(), title="The display flickers after the update")
    answer = make_answer(thread, make_voter(), body="Roll back to the previous firmware.")
    make_answer(thread, make_voter(), body="Lower the refresh rate to 60 Hz in settings.")
    escalation.convert_thread(make_user(role="staff"), thread.id)
    viewers = _viewers(thread, answer, moderator)
    clients = {name: _client(cached, user) for name, user in viewers.items()}
    for client in clients.values():  # every kind of body in the cache, in this order
        _main(client, thread)
    shared = [_main(client, thread) for client in clients.values()]
    assert len(stored) < len(viewers)  # some were shared ...
    cached.config["FRAGMENT_CACHE_SECONDS"] = 0  # ... yet each is what a fresh render shows
    fresh = [_main(client, thread) for client in clients.values()]
    for name, got, expected in zip(clients, shared, fresh):
        assert got == expected, name


def test_bodies_are_kept_per_language_and_per_dealings(app, cached, stored):
    thread = make_thread(make_user(), title="The router reboots at night")
    answer = make_answer(thread, make_voter(), body="Turn off the scheduled reboot.")
    reader = make_voter()
    assert ">Flag<" in _main(_client(cached, reader), thread)
    assert "Melden" in _main(_client(cached, reader, HTTP_ACCEPT_LANGUAGE="de"), thread)
    voter = make_voter()
    votes.cast_vote(voter, answer.id, 1)
    reader_page = _main(_client(cached, reader), thread)
    assert re.search(r'vote-up"[^>]*aria-pressed="true"', _main(_client(cached, voter), thread))
    assert not re.search(r'vote-up"[^>]*aria-pressed="true"', reader_page)


def test_a_write_anywhere_renders_the_body_again(app, cached, stored):
    thread = make_thread(make_user(), title="The camera loses its wifi")
    client = _client(cached, make_voter())
    _main(client, thread)
    _main(client, thread)
    assert len(stored) == 1
    threads.ask_question(make_user(), thread.board.slug, "Another question entirely",
                         "Some body text that is long enough.", "")
    _main(client, thread)
    assert len(stored) == 2


def test_an_old_address_still_redirects_when_the_body_is_cached(app, cached):
    thread = make_thread(make_user(), title="The doorbell rings twice")
    client = _client(cached, make_voter())
    _main(client, thread)
    response = client.get(f"/t/{thread.id}/an-old-slug")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/t/{thread.id}/{thread.slug}")


def test_dealings_name_the_viewers_part_in_the_thread(app):
    thread = make_thread(make_user(), title="The thermostat shows the wrong time")
    answer = make_answer(thread, make_voter(), body="Set the timezone in the app.")
    member = make_voter()
    assert threads.viewer_dealings(thread.id, member) == ()
    assert threads.viewer_dealings(thread.id, None) == ()
    comment = comments.add_comment(member, answer.id, "Which menu is the timezone in?")
    votes.cast_vote(member, answer.id, 1)
    assert threads.viewer_dealings(thread.id, member) == (
        ("comment", comment.id, 0), ("vote", answer.id, 1))
    assert threads.viewer_dealings(thread.id, thread.question.author) == (
        ("post", thread.question.id, 0),)


def test_viewer_kind_names_what_the_rules_read(app):
    newcomer, voter = make_user(), make_voter()
    assert viewer_kind(None) == ("anonymous",)
    assert viewer_kind(newcomer) == ("user", False, (), 1)
    assert viewer_kind(voter)[:3] == ("user", False, ("vote_up", "flag", "comment_everywhere",
                                                      "vote_down", "create_tags", "close_reopen"))
    assert viewer_kind(voter)[3] is None  # points shown nowhere once comments are open
    assert viewer_kind(make_user(role="moderator"))[0] == "moderator"
