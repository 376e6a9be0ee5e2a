"""Snippets to safe HTML: everything escaped, matched words in <mark>."""
from markupsafe import Markup, escape

from .documents import MARK_END, MARK_START

SNIPPET_CHARS = 240


def plain_snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The start of `text` as a snippet when nothing could be highlighted."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def to_html(snippet: str) -> Markup:
    """Escape the snippet and turn the match markers into <mark> elements."""
    html = str(escape(snippet))
    html = html.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    # A marker cut off by the fragmenter would leave an unclosed element.
    if html.count("<mark>") != html.count("</mark>"):
        html = html.replace("<mark>", "").replace("</mark>", "")
    return Markup(html)
