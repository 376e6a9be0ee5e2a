"""Markdown to safe HTML: the only place where HTML is made from user input.

CommonMark (markdown-it-py) plus tables, strikethrough and autolinked URLs,
with raw HTML disabled, then bleach as a second wall with a strict allow-list:
no scripts, event handlers, style attributes or non-http(s) images can come
out, whatever the input. Posts are rendered once, when they are saved.
Email arrives as plain text (`render_plain_text`) or as HTML, which
`html_to_text` first reduces to text.

KB articles go through `render_article`: the same pipeline, plus ids on the
headings (for the table of contents) and, in tutorials, video embeds. An
embed iframe is never made from what the author wrote: a line that is only a
YouTube or Vimeo address becomes a placeholder, and after sanitising the
placeholder is replaced by an iframe built from the regex-checked video id.
"""
import html
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

import bleach
from bleach.html5lib_shim import Filter
from markdown_it import MarkdownIt
from markdown_it.token import Token
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


def _build_cleaner(attributes) -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=attributes,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[_LinkRelFilter],
    )


_markdown = _build_markdown()
_cleaner = _build_cleaner(_allowed_attribute)


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


# --- KB articles: heading ids, table of contents, video embeds ------------------------

_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_HEADING_ID = re.compile(r"section-[a-z0-9]+(?:-[a-z0-9]+)*")
TOC_MAX_LEVEL = 3

_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_VIMEO_ID = re.compile(r"[0-9]{1,12}")
_TAIL = r"(?:[?#&][^\s<>]*)?"
_VIDEO_LINES = [
    ("youtube", re.compile(
        r"https?://(?:www\.|m\.)?youtube\.com/watch\?(?:[^\s<>#]*&)?v=(?P<id>[A-Za-z0-9_-]{11})"
        + _TAIL)),
    ("youtube", re.compile(r"https?://youtu\.be/(?P<id>[A-Za-z0-9_-]{11})" + _TAIL)),
    ("youtube", re.compile(
        r"https?://(?:www\.)?youtube(?:-nocookie)?\.com/(?:embed|shorts|live)/"
        r"(?P<id>[A-Za-z0-9_-]{11})" + _TAIL)),
    ("vimeo", re.compile(r"https?://(?:www\.)?vimeo\.com/(?P<id>[0-9]{1,12})" + _TAIL)),
    ("vimeo", re.compile(r"https?://player\.vimeo\.com/video/(?P<id>[0-9]{1,12})" + _TAIL)),
]
# Everything an embed may point at; the CSP's frame-src names the same two hosts.
VIDEO_EMBED_URLS = {
    "youtube": ("https://www.youtube-nocookie.com/embed/{id}",
                "https://www.youtube.com/watch?v={id}", "YouTube", _YOUTUBE_ID),
    "vimeo": ("https://player.vimeo.com/video/{id}", "https://vimeo.com/{id}", "Vimeo",
              _VIMEO_ID),
}
_EMBED = (
    '<figure class="video-embed"><div class="video-frame">'
    '<iframe src="{src}" title="{provider}" loading="lazy" allowfullscreen '
    'allow="fullscreen; picture-in-picture; encrypted-media" '
    'referrerpolicy="strict-origin-when-cross-origin" '
    'sandbox="allow-scripts allow-same-origin allow-presentation allow-popups">'
    '</iframe></div><figcaption><a href="{link}" rel="{rel}">{link}</a></figcaption></figure>'
)


@dataclass
class RenderedArticle:
    """An article's sanitised HTML and its table of contents."""

    html: str
    toc: list[dict] = field(default_factory=list)


def video_in_line(line: str) -> tuple[str, str] | None:
    """(provider, id) when `line` is only a YouTube or Vimeo address, else None."""
    line = line.strip()
    if line.startswith("<") and line.endswith(">"):
        line = line[1:-1]
    for provider, pattern in _VIDEO_LINES:
        match = pattern.fullmatch(line)
        if match:
            return provider, match.group("id")
    return None


def video_embed(provider: str, video_id: str) -> str:
    """The embed markup for a video; refuses any id that is not exactly the provider's format."""
    src, link, name, id_pattern = VIDEO_EMBED_URLS[provider]
    if not id_pattern.fullmatch(video_id):
        raise ValueError("not a video id")
    return _EMBED.format(
        src=escape(src.format(id=video_id)), link=escape(link.format(id=video_id)),
        provider=escape(name), rel=LINK_REL,
    )


def _plain_text(inline: Token) -> str:
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


def _heading_slug(text: str, number: int) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return slug or str(number)


def _headings_and_videos(state) -> None:
    """Give headings ids and collect the table of contents; turn video lines into placeholders."""
    env = state.env
    used: set[str] = set()
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            text = _plain_text(tokens[index + 1])
            base = "section-" + _heading_slug(text, len(used) + 1)
            anchor, n = base, 2
            while anchor in used:
                anchor, n = f"{base}-{n}", n + 1
            used.add(anchor)
            token.attrSet("id", anchor)
            level = int(token.tag[1])
            if level <= TOC_MAX_LEVEL and text:
                env["toc"].append({"level": level, "id": anchor, "text": text})
        elif env["videos"] is not None and token.type == "paragraph_open":
            inline = tokens[index + 1]
            video = "\n" not in inline.content and video_in_line(inline.content)
            if video:
                marker = f"kbvideo-{env['nonce']}-{len(env['videos'])}"
                env["videos"].append((marker, *video))
                placeholder = Token("text", "", 0)
                placeholder.content = marker
                inline.children = [placeholder]
                # Tight lists hide their paragraphs; the placeholder needs its <p>.
                token.hidden = tokens[index + 2].hidden = False


def _allowed_article_attribute(tag: str, name: str, value: str) -> bool:
    if tag in _HEADING_TAGS and name == "id":
        return len(value) <= 80 and bool(_HEADING_ID.fullmatch(value))
    return _allowed_attribute(tag, name, value)


def _build_article_markdown() -> MarkdownIt:
    md = _build_markdown()
    md.core.ruler.push("kb_headings_and_videos", _headings_and_videos)
    return md


_article_markdown = _build_article_markdown()
_article_cleaner = _build_cleaner(_allowed_article_attribute)


def render_article(source: str, *, videos: bool = False) -> RenderedArticle:
    """Render a KB article: sanitised HTML with heading ids, its contents, and (if
    `videos`) allow-listed video embeds."""
    env = {"toc": [], "videos": [] if videos else None, "nonce": secrets.token_hex(12)}
    html = _article_cleaner.clean(_article_markdown.render(source, env))
    for marker, provider, video_id in env["videos"] or []:
        html = html.replace(f"<p>{marker}</p>", video_embed(provider, video_id), 1)
    return RenderedArticle(html=html, toc=env["toc"])
