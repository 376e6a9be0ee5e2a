"""Markdown to safe HTML: the only place where HTML is made from user input.

CommonMark (markdown-it-py) plus tables, strikethrough and autolinked URLs,
with raw HTML disabled, then bleach as a second wall with a strict allow-list:
no scripts, event handlers, style attributes or non-http(s) images can come
out, whatever the input. Posts are rendered once, when they are saved.
"""
import html
import re

import bleach
from bleach.html5lib_shim import Filter
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "strong",
    "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
})
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"
_ALIGN_CLASSES = {"align-left", "align-center", "align-right"}


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if tag == "a":
        return name in ("href", "title")
    if tag == "img":
        if name == "src":
            return value.lower().startswith(("http://", "https://"))
        return name in ("alt", "title")
    if tag == "code":
        return name == "class" and value.startswith("language-") and not any(
            c.isspace() for c in value
        )
    if tag in ("th", "td"):
        return name == "class" and value in _ALIGN_CLASSES
    if tag == "ol":
        return name == "start"
    return False


class _LinkRelFilter(Filter):
    """Give every link rel="nofollow ugc noopener", replacing any rel it had."""

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                attrs = dict(token["data"])
                attrs[(None, "rel")] = LINK_REL
                token["data"] = attrs
            yield token


def _table_alignment_as_class(state) -> None:
    """markdown-it aligns table cells with style=""; styles are not allowed, classes are."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open") and token.attrs.get("style"):
            align = token.attrs.pop("style").removeprefix("text-align:")
            token.attrs["class"] = f"align-{align}"


def _build_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True})
    md.enable(["table", "strikethrough", "linkify"])
    md.core.ruler.push("table_alignment_as_class", _table_alignment_as_class)
    return md


_markdown = _build_markdown()
_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allowed_attribute,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[_LinkRelFilter],
)


def sanitize(html: str) -> str:
    """Clean HTML to the allow-list (also used for imported HTML bodies)."""
    return _cleaner.clean(html)


def render_markdown(source: str) -> str:
    """Render Markdown to sanitised HTML."""
    return sanitize(_markdown.render(source))


_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|pre|blockquote|tr|td|th)>|<br\s*/?>", re.I)
_TAG = re.compile(r"<[^>]*>")


def plain_text(safe_html: str) -> str:
    """The text of sanitised HTML, for the search index and snippets."""
    text = _TAG.sub("", _BLOCK_END.sub(" ", safe_html))
    return " ".join(html.unescape(text).split())
