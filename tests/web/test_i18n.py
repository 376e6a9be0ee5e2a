"""Language: the user's setting, else the browser's Accept-Language."""
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import forum
from forum.errors import ValidationError
from forum.models import User
from forum.services import accounts, content, threads
from tests.factories import make_board, make_thread, make_user
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
    assert "Ihre Spracheinstellung wurde gespeichert." in page
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


def test_german_catalog_is_complete():
    with (TRANSLATIONS / "de" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source)
    missing = [m.id for m in catalog if m.id and not (
        all(m.string) if isinstance(m.string, tuple) else m.string
    )]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not missing and not fuzzy


def test_german_catalog_addresses_the_reader_formally():
    """A company help desk says "Sie": no msgstr may fall back to "du", "dich", "dein" ..."""
    with (TRANSLATIONS / "de" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source)
    informal = re.compile(r"\b(du|dich|dir|dein\w*)\b", re.IGNORECASE)
    strings = [s for m in catalog if m.id
               for s in (m.string if isinstance(m.string, tuple) else (m.string,))]
    assert [s for s in strings if informal.search(s)] == []


def _source_messages() -> set[str]:
    """Every msgid in the code and templates, extracted as `make extract-messages` does."""
    from babel.messages.extract import extract_from_dir

    root = Path(forum.__file__).resolve().parent.parent
    method_map = [("forum/**.py", "python"), ("moderation/**.py", "python"),
                  ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(root), method_map=method_map, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_message_in_the_code_is_in_the_german_catalog():
    with (TRANSLATIONS / "de" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(source) if m.id}
    assert _source_messages() - catalog == set()


def test_service_errors_speak_the_readers_language(web):
    with web.test_request_context(headers=GERMAN):
        thread = make_thread()
        with pytest.raises(ValidationError) as error:
            threads.edit_post(thread.author, thread.question.id, "x" * 40, edit_summary="y" * 301)
        assert str(error.value.message) == (
            "Zusammenfassung der Änderung darf höchstens 300 Zeichen lang sein."
        )
        with pytest.raises(ValidationError) as error:
            accounts.register("anna", "anna@example.com", "short")
        assert str(error.value.message) == "Passwort muss mindestens 10 Zeichen lang sein."
        with pytest.raises(ValidationError) as error:
            content.tag_names(["bad tag!"])
        assert str(error.value.message).startswith("„bad tag!“ ist kein gültiges Tag")
    with web.test_request_context(headers=ENGLISH):
        with pytest.raises(ValidationError) as error:
            accounts.register("anna", "anna@example.com", "short")
        assert str(error.value.message) == "Password must be at least 10 characters."
