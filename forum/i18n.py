"""Language choice: the user's setting, else the browser's Accept-Language."""
import functools

from flask import Flask, current_app, has_request_context, request
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from .extensions import babel


def select_locale() -> str:
    """The locale for this request."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and background work speak the default language
        return languages[0]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return browser_locale()


def browser_locale() -> str:
    """The locale an anonymous visitor gets: the best match for Accept-Language."""
    languages = tuple(current_app.config["LANGUAGES"])
    return _best_match(request.headers.get("Accept-Language", ""), languages)


@functools.lru_cache(maxsize=512)
def _best_match(header: str, languages: tuple[str, ...]) -> str:
    # Browsers send a few distinct headers; parsing one costs more than serving a cached page.
    return parse_accept_header(header, LanguageAccept).best_match(languages) or languages[0]


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.root_path + "/translations"),
    )
