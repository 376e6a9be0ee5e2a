"""The attack corpora in ../shared/data through the Markdown pipeline."""
import re

import pytest

from forum.rendering import render_markdown, sanitize
from tests.conftest import shared_path
from tests.html_safety import unsafe_parts


def _payloads() -> list[str]:
    folder = shared_path("data", "xss-payloads")
    lines = set()
    for path in sorted(folder.glob("*.txt")):
        lines.update(l for l in path.read_text(encoding="utf-8").splitlines() if l.strip())
    cheat_sheet = (folder / "OWASP_XSS_Filter_Evasion_Cheat_Sheet.md").read_text(encoding="utf-8")
    lines.update(b.strip() for b in re.findall(r"```[a-z]*\n(.*?)```", cheat_sheet, re.S))
    return sorted(lines)


def _markdown_fixture_inputs() -> list[str]:
    text = shared_path("data", "markdown-it-fixtures", "xss.md").read_text(encoding="utf-8")
    # fixtures are "title\n.\ninput\n.\noutput\n." blocks
    return re.findall(r"^\.\n(.*?)\n\.\n", text, re.S | re.M)


def test_xss_corpus_never_survives_rendering():
    payloads = _payloads()
    assert len(payloads) > 2000
    failures = {}
    for payload in payloads:
        for source in (payload, f"[click]({payload})", f"![img]({payload})", f"<{payload}>"):
            problems = unsafe_parts(render_markdown(source))
            if problems:
                failures[source] = problems
    assert failures == {}


def test_xss_corpus_as_raw_html_is_sanitised():
    # Imported bodies (Stack Exchange dumps) arrive as HTML and only pass sanitize().
    failures = {p: unsafe_parts(sanitize(p)) for p in _payloads()}
    assert {p: v for p, v in failures.items() if v} == {}


def test_markdown_it_xss_fixtures_are_safe():
    inputs = _markdown_fixture_inputs()
    assert inputs
    assert {s: unsafe_parts(render_markdown(s)) for s in inputs if unsafe_parts(render_markdown(s))} == {}


@pytest.mark.parametrize("source,expected", [
    ("[a](https://example.com)", '<a href="https://example.com" rel="nofollow ugc noopener">a</a>'),
    ("https://example.com/x", '<a href="https://example.com/x" rel="nofollow ugc noopener">'),
    ("~~gone~~", "<s>gone</s>"),
    ("| a |\n|---|\n| 1 |", "<td>1</td>"),
    ("```py\nx = 1\n```", '<code class="language-py">x = 1'),
    ("![x](https://example.com/a.png)", '<img src="https://example.com/a.png" alt="x">'),
])
def test_supported_markdown_features(source, expected):
    assert expected in render_markdown(source)


@pytest.mark.parametrize("source", [
    "![x](http://example.com/a.png)", "![x](data:image/png;base64,AAAA)", "![x](/local.png)",
])
def test_images_only_from_absolute_http_urls(source):
    html = render_markdown(source)
    assert ("src=" in html) == source.startswith("![x](http")
