"""Every CommonMark 0.31.2 spec example through the real pipeline.

None may produce anything that can run script; and every example without
raw HTML (which we deliberately escape) must render as the spec says,
compared as parsed HTML so that `<hr />` and `<hr>` count as the same.
"""
import html
import json
import re
from html.parser import HTMLParser

from forum.rendering import LINK_REL, render_markdown
from tests.conftest import shared_path
from tests.html_safety import unsafe_parts

RAW_HTML = re.compile(r"<[A-Za-z/!?]")
# Examples without raw HTML that differ on purpose, with the reason.
AUTOLINKED = {608, 611, 612}  # we autolink bare URLs and emails (GFM-style linkify)
_RELATIVE_IMAGE = re.compile(r'<img src="(?!https?://)')  # we keep only http(s) images


def deliberate_difference(example: dict) -> bool:
    return example["example"] in AUTOLINKED or bool(_RELATIVE_IMAGE.search(example["html"]))


class _Canonical(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        kept = sorted((k, v or "") for k, v in attrs if not (k == "rel" and v == LINK_REL))
        self.parts.append(f"<{tag}{''.join(f' {k}={v!r}' for k, v in kept)}>")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self.parts.append(f"</{tag}>")

    def handle_data(self, data):
        if data.strip():  # whitespace between block tags does not change the document
            self.parts.append(html.escape(data, quote=False))


def canonical(markup: str) -> str:
    parser = _Canonical()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


def _examples():
    return json.loads(shared_path("data", "commonmark-spec", "spec.json").read_text())


def test_no_spec_example_produces_executable_markup():
    examples = _examples()
    unsafe = {ex["example"]: unsafe_parts(render_markdown(ex["markdown"])) for ex in examples}
    assert {k: v for k, v in unsafe.items() if v} == {}
    assert len(examples) == 652


def test_examples_without_raw_html_render_as_the_spec_says(capsys):
    examples = _examples()
    exact = [ex for ex in examples if canonical(render_markdown(ex["markdown"])) == canonical(ex["html"])]
    without_raw = [ex for ex in examples if not RAW_HTML.search(ex["markdown"])]
    differing = [
        ex for ex in without_raw
        if canonical(render_markdown(ex["markdown"])) != canonical(ex["html"])
    ]
    unexplained = [ex["example"] for ex in differing if not deliberate_difference(ex)]
    with capsys.disabled():
        print(f"\nCommonMark spec: {len(exact)} of {len(examples)} examples render exactly; "
              f"{len(without_raw)} have no raw HTML, of which {len(differing)} differ.")
    assert unexplained == []
