"""The `next=` redirect after sign-in only ever goes to a path on this site."""
import pytest

from forum.web.helpers import is_safe_next
from tests.factories import make_user
from tests.web.helpers import sign_in

HOSTILE = [
    "//evil.example",
    "////evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "https:evil.example",
    "http:evil.example",
    "http://evil.example",
    "https://evil.example/path",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "data:text/html,hi",
    "evil.example",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "/%2fevil.example",
    "%2F%5Cevil.example",
    "/%5Cevil.example",
    "/%255Cevil.example",
    "/%252F%252Fevil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\nSet-Cookie: x=1",
    "/%0d%0aSet-Cookie:x=1",
    " //evil.example",
    "\x00/evil",
    "/\x7f",
    "",
    None,
    "/" + "a" * 3000,
]
FRIENDLY = ["/", "/t/1/some-title", "/b/hardware?tag=wifi&sort=votes", "/u/alice", "/settings#x",
            "/b/x?tag=c%2B%2B"]


@pytest.mark.parametrize("url", HOSTILE)
def test_is_safe_next_rejects_other_sites(url):
    assert not is_safe_next(url)


@pytest.mark.parametrize("url", FRIENDLY)
def test_is_safe_next_accepts_local_paths(url):
    assert is_safe_next(url)


def test_is_safe_next_rejects_non_strings():
    assert not is_safe_next(b"/")
    assert not is_safe_next(["/"])


@pytest.mark.parametrize("url", HOSTILE[:26])
def test_login_ignores_hostile_next(client, url):
    user = make_user()
    response = sign_in(client, user, next=url)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_follows_local_next(client):
    user = make_user()
    response = sign_in(client, user, next="/b/hardware?tag=wifi")
    assert response.headers["Location"] == "/b/hardware?tag=wifi"


def test_login_page_keeps_only_the_next_it_was_given(client):
    page = client.get("/login?next=/u/alice").get_data(as_text=True)
    assert 'name="next" value="/u/alice"' in page
