"""KB article rendering: heading ids and contents, allow-listed video embeds, no script ever."""
import re
from html.parser import HTMLParser

import pytest

from forum.rendering import render_article, video_embed
from tests.conftest import shared_path
from tests.html_safety import unsafe_parts
from tests.rendering.test_xss_payloads import _markdown_fixture_inputs, _payloads

ALLOWED_EMBED = re.compile(
    r"https://www\.youtube-nocookie\.com/embed/[A-Za-z0-9_-]{11}|https://player\.vimeo\.com/video/[0-9]{1,12}"
)
_IFRAME = re.compile(r"<iframe\b[^>]*>", re.IGNORECASE)


class _Iframes(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sources: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        if tag == "iframe":
            self.sources.append(dict(attrs).get("src"))


def iframe_sources(html: str) -> list[str | None]:
    parser = _Iframes()
    parser.feed(html)
    parser.close()
    return parser.sources


def unsafe_except_embeds(html: str) -> list[str]:
    """unsafe_parts(), after removing exactly the allow-listed embed iframes (and only them)."""
    for source in iframe_sources(html):
        assert source is not None and ALLOWED_EMBED.fullmatch(source), source
    return unsafe_parts(_IFRAME.sub("", html).replace("</iframe>", ""))


# --- video embeds -------------------------------------------------------------------------

@pytest.mark.parametrize("line,src", [
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("https://youtube.com/watch?feature=share&v=dQw4w9WgXcQ&t=42s",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("https://m.youtube.com/watch?v=dQw4w9WgXcQ",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("https://youtu.be/dQw4w9WgXcQ?t=10", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("<https://www.youtube.com/shorts/dQw4w9WgXcQ>",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("  https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ  ",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871"),
    ("https://player.vimeo.com/video/76979871?h=abc", "https://player.vimeo.com/video/76979871"),
])
def test_video_line_becomes_privacy_friendly_embed(line, src):
    html = render_article(f"Watch this:\n\n{line}\n\nThen continue.", videos=True).html
    assert iframe_sources(html) == [src]
    assert 'sandbox="allow-scripts allow-same-origin allow-presentation allow-popups"' in html
    assert "<figcaption><a href=" in html  # the text link, for when the frame cannot load
    assert unsafe_except_embeds(html) == []


@pytest.mark.parametrize("source", [
    "See https://www.youtube.com/watch?v=dQw4w9WgXcQ for details",  # not alone on its line
    "[video](https://www.youtube.com/watch?v=dQw4w9WgXcQ)",
    "https://www.youtube.com/watch?v=dQw4w9WgXc",  # id too short
    "https://www.youtube.com/watch?v=dQw4w9WgXcQQ",  # too long
    "https://evil.example/watch?v=dQw4w9WgXcQ",
    "https://www.youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
    "https://youtu.be/dQw4w9WgXcQ\"onload=\"alert(1)",
    "https://vimeo.com/abc",
    "https://vimeo.com/123456789012345",
    "javascript://youtu.be/dQw4w9WgXcQ",
    "ftp://youtu.be/dQw4w9WgXcQ",
    "```\nhttps://youtu.be/dQw4w9WgXcQ\n```",
    "    https://youtu.be/dQw4w9WgXcQ",  # indented code
    "<iframe src=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ\"></iframe>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<embed src=\"https://youtu.be/dQw4w9WgXcQ\">",
    "<object data=\"https://vimeo.com/1\"></object>",
    "kbvideo-0000-0",
])
def test_no_embed_from_anything_else(source):
    html = render_article(source, videos=True).html
    assert iframe_sources(html) == []
    assert unsafe_parts(html) == []


def test_videos_only_embed_when_asked():
    html = render_article("https://youtu.be/dQw4w9WgXcQ", videos=False).html
    assert iframe_sources(html) == []
    assert 'href="https://youtu.be/dQw4w9WgXcQ"' in html


def test_embed_in_tight_list_and_quote():
    source = "1. Open the app\n2. https://vimeo.com/1234\n\n> https://youtu.be/dQw4w9WgXcQ"
    html = render_article(source, videos=True).html
    assert iframe_sources(html) == ["https://player.vimeo.com/video/1234",
                                    "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"]


@pytest.mark.parametrize("provider,video_id", [
    ("youtube", 'dQw4w9WgX"Q'), ("youtube", "short"), ("vimeo", "12a"), ("vimeo", "1" * 13),
])
def test_embed_builder_refuses_malformed_ids(provider, video_id):
    with pytest.raises(ValueError):
        video_embed(provider, video_id)


# --- headings and contents -------------------------------------------------------------------

def test_headings_get_safe_unique_ids_and_contents():
    source = ("# Überblick\n\n## Step *one*\n\n### Step one\n\n## Step one\n\n"
              "#### Deep\n\n## 日本語\n\n## \"><script>x</script>")
    page = render_article(source)
    assert [(e["level"], e["id"]) for e in page.toc] == [
        (1, "section-uberblick"), (2, "section-step-one"), (3, "section-step-one-2"),
        (2, "section-step-one-3"), (2, "section-6"), (2, "section-script-x-script")]
    assert page.toc[1]["text"] == "Step one"
    assert '<h4 id="section-deep">' in page.html
    assert unsafe_parts(page.html) == []


def test_heading_ids_never_come_from_the_author():
    html = render_article('<h2 id="main">x</h2>\n\n## Real {#main}').html
    assert 'id="main"' not in html


# --- the attack corpora -------------------------------------------------------------------

def test_xss_corpus_never_survives_article_rendering():
    payloads = _payloads()
    assert len(payloads) > 2000
    failures = {}
    for payload in payloads:
        for source in (payload, f"## {payload}", f"https://youtu.be/{payload}",
                       f"https://www.youtube.com/watch?v={payload}"):
            problems = unsafe_except_embeds(render_article(source, videos=True).html)
            if problems:
                failures[source] = problems
    assert failures == {}


def test_markdown_it_xss_fixtures_are_safe_in_articles():
    shared_path("data", "markdown-it-fixtures")
    for source in _markdown_fixture_inputs():
        assert unsafe_except_embeds(render_article(source, videos=True).html) == [], source
