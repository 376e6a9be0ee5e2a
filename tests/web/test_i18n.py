"""Language: the user's setting, else the browser's Accept-Language."""
import re
from pathlib import Path

from babel.messages.pofile import read_po

import forum
from forum.models import User
from forum.services import accounts
from forum.web import messages
from tests.factories import make_board, make_user
from tests.web.conftest import TRANSLATIONS
from tests.web.helpers import fresh, sign_in, text

GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}


def test_accept_language_german(client):
    make_board("geraete", "Geräte")
    page = text(client.get("/", headers=GERMAN))
    assert '<html lang="de">' in page
    assert "Frage stellen" in page and "Anmelden" in page
    assert "Ask a question" not in page


def test_english_by_default(client):
    page = text(client.get("/"))
    assert '<html lang="en">' in page and "Ask a question" in page


def test_user_setting_overrides_the_browser(client):
    user = make_user("sprachwahl")
    sign_in(client, user)
    response = client.post("/settings/language", data={"locale": "de"}, headers=ENGLISH)
    assert response.status_code == 302
    assert fresh(User, user.id).locale == "de"
    page = text(client.get("/settings", headers=ENGLISH, follow_redirects=True))
    assert '<html lang="de">' in page
    assert "Deine Spracheinstellung wurde gespeichert." in page
    client.post("/settings/language", data={"locale": "en"})
    assert "Ask a question" in text(client.get("/", headers=GERMAN))
    client.post("/settings/language", data={"locale": ""})  # automatic again
    assert fresh(User, user.id).locale is None
    assert "Frage stellen" in text(client.get("/", headers=GERMAN))


def test_unknown_language_is_a_form_error(client):
    sign_in(client, make_user())
    response = client.post("/settings/language", data={"locale": "xx"})
    assert response.status_code == 422


def test_service_messages_are_translated(client):
    response = client.post("/login", data={"login": "nobody", "password": "nothing at all"},
                           headers=GERMAN)
    assert "Benutzername, E-Mail-Adresse oder Passwort ist falsch." in text(response)
    sign_in(client, make_user())
    make_board("de-board")
    response = client.post("/ask", data={"board": "de-board", "title": "kurz", "body": "x" * 30},
                           headers=GERMAN)
    assert "Titel muss mindestens 10 Zeichen lang sein." in text(response)


def test_login_failed_message_matches_the_service():
    assert accounts.LOGIN_FAILED in messages._FIXED


def test_every_permission_message_has_a_translation():
    from forum.permissions import _MESSAGES

    for message in _MESSAGES.values():
        assert message in messages._FIXED, message


def test_german_catalog_is_complete():
    with (TRANSLATIONS / "de" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source)
    missing = [m.id for m in catalog if m.id and not (
        all(m.string) if isinstance(m.string, tuple) else m.string
    )]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not missing and not fuzzy


_RAISED = re.compile(
    r'(?:ValidationError|PermissionDenied|NotFound|Conflict|RateLimited)\(\s*"([^"]+)"'
)


def test_every_fixed_service_message_is_translated(web):
    """A new message raised by a service needs a line in forum/web/messages.py."""
    services = Path(forum.__file__).parent / "services"
    raised = set()
    for module in services.glob("*.py"):
        raised |= set(_RAISED.findall(module.read_text()))
    assert raised - set(messages._FIXED) == set()
    with web.test_request_context(headers={"Accept-Language": "de"}):
        untranslated = [m for m in messages._FIXED if messages.translate(m) == m
                        and m not in ("Name", "Link")]
    assert untranslated == []


def test_parametrised_service_messages_are_translated(web):
    with web.test_request_context(headers={"Accept-Language": "de"}):
        assert messages.translate("Edit summary must be at most 300 characters.") == \
            "Zusammenfassung der Änderung darf höchstens 300 Zeichen lang sein."
        assert messages.translate("Password must be at least 10 characters.") == \
            "Passwort muss mindestens 10 Zeichen lang sein."
        assert messages.translate("'bad tag!' is not a valid tag: use 1-35 letters, digits "
                                  "or + # . -").startswith("„bad tag!“ ist kein gültiges Tag")
        assert messages.translate("Something new and unknown.") == "Something new and unknown."
