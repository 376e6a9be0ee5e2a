"""Signed-in thread pages reuse each post's cached HTML (forum/web/fragments.py) and show
every change at once: the fragment's key is made of what it shows."""
import re
from types import SimpleNamespace

import pytest

from forum.services import comments, threads, votes
from forum.web import fragments, lazy_csrf
from moderation.services import flags
from tests.factories import give_reputation, make_answer, make_thread, make_user, make_voter
from tests.web.helpers import sign_in, text


@pytest.fixture
def cached(make_app):
    """An app with a real in-process cache (the other tests run with NullCache)."""
    return make_app(CACHE_TYPE="SimpleCache")


@pytest.fixture
def scene(app):
    asker, helper = make_voter(), make_voter()
    thread = make_thread(asker, title="The printer prints blank pages")
    answer = make_answer(thread, helper, body="Reseat the toner cartridge firmly.")
    comment = comments.add_comment(asker, answer.id, "Which cartridge do you mean here?")
    return SimpleNamespace(asker=asker, helper=helper, reader=make_voter(), thread=thread,
                           answer=answer, comment=comment, moderator=make_user(role="moderator"))


def _client(cached, user, **headers):
    client = cached.test_client()
    sign_in(client, user)
    client.environ_base.update(headers)
    return client


def _page(client, scene) -> str:
    return text(client.get(f"/t/{scene.thread.id}/{scene.thread.slug}"))


def test_second_view_renders_no_post_and_forms_carry_each_viewers_token(cached, scene,
                                                                        monkeypatch):
    stored = []
    real_set_many = fragments.cache.set_many
    monkeypatch.setattr(fragments.cache, "set_many", lambda mapping, **kw: stored.extend(mapping)
                        or real_set_many(mapping, **kw))
    first = _client(cached, scene.reader)
    _page(first, scene)
    assert len(stored) == 2  # the question and the answer
    second = _client(cached, make_voter())  # another member with the same buttons
    pages = [_page(first, scene), _page(second, scene)]
    assert len(stored) == 2
    tokens = []
    for page in pages:
        assert lazy_csrf.PLACEHOLDER not in page
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
        assert set(re.findall(r'name="csrf_token" value="([^"]*)"', page)) == {token}
        tokens.append(token)
    assert tokens[0] != tokens[1]


def test_each_viewer_gets_their_own_buttons_and_language(cached, scene):
    edit_link = f'href="/p/{scene.answer.id}/edit"'
    assert edit_link not in _page(_client(cached, scene.reader), scene)
    assert edit_link in _page(_client(cached, scene.helper), scene)  # the author
    assert edit_link not in _page(_client(cached, scene.reader), scene)
    german = _page(_client(cached, scene.reader, HTTP_ACCEPT_LANGUAGE="de"), scene)
    assert "Melden" in german and ">Flag<" not in german


def _article(page, post_id) -> str:
    return page[page.index(f'id="post-{post_id}"'):]


def _score(page, post_id) -> str:
    return re.search(r'data-score aria-label="[^"]*">(-?\d+)<', _article(page, post_id)).group(1)


CHANGES = {
    "edit": (lambda s: threads.edit_post(s.helper, s.answer.id, "Reseat it and clean the drum."),
             lambda page, s: "clean the drum" in page),
    "comment": (lambda s: comments.add_comment(s.helper, s.answer.id, "The black one, inside."),
                lambda page, s: "The black one, inside." in page),
    "reply": (lambda s: comments.add_comment(s.helper, s.answer.id, "The colour one, sorry.",
                                             parent_id=s.comment.id),
              lambda page, s: "The colour one, sorry." in page),
    "comment edit": (lambda s: comments.edit_comment(s.asker, s.comment.id, "Black or colour?"),
                     lambda page, s: "Black or colour?" in page),
    "comment delete": (lambda s: comments.delete_comment(s.asker, s.comment.id),
                       lambda page, s: "Which cartridge" not in page),
    "vote": (lambda s: votes.cast_vote(s.asker, s.answer.id, 1),
             lambda page, s: _score(page, s.answer.id) == "1"),
    "own vote": (lambda s: votes.cast_vote(s.reader, s.answer.id, -1),
                 lambda page, s: _score(page, s.answer.id) == "-1" and re.search(
                     r'vote-down"[^>]*aria-pressed="true"', _article(page, s.answer.id))),
    "hide by flags": (lambda s: [flags.flag_post(make_voter(), s.answer.id, "spam")
                                 for _ in range(flags.flags_to_hide())],
                      lambda page, s: "Reseat the toner" not in page),
    "hidden, seen by its author": (
        lambda s: [flags.flag_post(make_voter(), s.answer.id, "spam")
                   for _ in range(flags.flags_to_hide())],
        lambda page, s: "This post is hidden after flags" in page),
    "delete": (lambda s: threads.delete_post(s.moderator, s.answer.id),
               lambda page, s: "Reseat the toner" not in page),
    "accept": (lambda s: threads.accept_answer(s.asker, s.thread.id, s.answer.id),
               lambda page, s: "post-accepted" in page),
    "author reputation": (lambda s: give_reputation(s.helper, 1000),
                          lambda page, s: int(re.search(r'class="rep"[^>]*>(\d+)<', _article(
                              page, s.answer.id)).group(1)) > 1000),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_shows_on_the_next_view(cached, scene, change):
    make_change, shows = CHANGES[change]
    client = _client(cached, scene.helper if "its author" in change else scene.reader)
    assert not shows(_page(client, scene), scene)
    make_change(scene)
    assert shows(_page(client, scene), scene)
