"""Markdown to safe HTML: the only place where HTML is made from user input.

CommonMark (markdown-it-py) plus tables, strikethrough and autolinked URLs,
with raw HTML disabled, then bleach as a second wall with a strict allow-list:
no scripts, event handlers, style attributes or non-http(s) images can come
out, whatever the input. Posts are rendered once, when they are saved.
Email arrives as plain text (`render_plain_text`) or as HTML, which
`html_to_text` first reduces to text.
"""
import html
import re
from html.parser import HTMLParser

import bleach
from bleach.html5lib_shim import Filter
from markdown_it import MarkdownIt
from markupsafe import escape

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


def render_plain_text(text: str) -> str:
    """Plain text (an email) as safe HTML: paragraphs, line breaks and linked URLs kept."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    markup = "".join(
        "<p>" + str(escape(p)).replace("\n", "<br>\n") + "</p>\n" for p in paragraphs
    )
    return sanitize(bleach.linkify(markup, parse_email=False))


class _TextExtractor(HTMLParser):
    """Collects the text of an HTML document line by line, quoting <blockquote> with "> "."""

    SKIP = frozenset({"script", "style", "head", "title", "template", "noscript"})
    BREAK_BEFORE = frozenset({"p", "div", "table", "tr", "ul", "ol", "pre", "hr",
                              "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[list] = [[0, ""]]  # [quote depth, text]
        self.depth = 0
        self.skipping = 0
        self.pre = 0
        self.href: str | None = None

    def newline(self) -> None:
        self.lines.append([self.depth, ""])

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag == "br":
            self.newline()
        elif tag == "li":
            self.newline()
            self.lines[-1][1] = "- "
        elif tag in self.BREAK_BEFORE:
            self.depth += tag == "blockquote"
            self.pre += tag == "pre"
            self.newline()
        elif tag == "a":
            self.href = dict(attrs).get("href")

    def handle_startendtag(self, tag, attrs):
        if tag in ("br", "hr"):
            self.newline()

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(self.skipping - 1, 0)
        elif tag in self.BREAK_BEFORE:
            if tag == "blockquote":
                self.depth = max(self.depth - 1, 0)
            self.pre -= tag == "pre" and self.pre > 0
            self.newline()
        elif tag == "a":
            self.href = None

    def handle_data(self, data):
        if self.skipping:
            return
        if self.pre:
            first, *rest = data.split("\n")
            self.lines[-1][1] += first
            for line in rest:
                self.lines.append([self.depth, line])
            return
        text = re.sub(r"\s+", " ", data)
        if self.href and self.href.startswith(("http://", "https://")) and text.strip() != self.href:
            text += f" <{self.href}>"
            self.href = None
        if not self.lines[-1][1]:
            self.lines[-1][0] = self.depth
            text = text.lstrip()
        self.lines[-1][1] += text

    def text(self) -> str:
        out = []
        for depth, line in self.lines:
            line = line.rstrip()
            if depth:
                line = ("> " * depth + line).rstrip()
            out.append(line)
        return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()


def html_to_text(html: str) -> str:
    """The readable text of an HTML email: no markup, scripts or styles; quotes as "> "."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return parser.text()


_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|pre|blockquote|tr|td|th)>|<br\s*/?>", re.I)
_TAG = re.compile(r"<[^>]*>")


def plain_text(safe_html: str) -> str:
    """The text of sanitised HTML, for the search index and snippets."""
    text = _TAG.sub("", _BLOCK_END.sub(" ", safe_html))
    return " ".join(html.unescape(text).split())
