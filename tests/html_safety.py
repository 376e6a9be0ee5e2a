"""An independent check that HTML can run no script: used on everything we render."""
import re
from html.parser import HTMLParser

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "background"}
SAFE_SCHEMES = {"http", "https", "mailto"}
# A URL scheme as browsers read it, after dropping the whitespace and control
# characters they ignore ("java\tscript:" is still javascript:).
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_IGNORED = re.compile(r"[\x00-\x20]")

FORBIDDEN_TAGS = {"script", "style", "iframe", "object", "embed", "form", "input", "svg",
                  "math", "link", "meta", "base", "frame", "frameset", "textarea", "button"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            value = _IGNORED.sub("", value or "").lower()
            if name.startswith("on"):
                self.problems.append(f"event handler {name}")
            if name == "style":
                self.problems.append("style attribute")
            scheme = _SCHEME.match(value)
            if name in URL_ATTRIBUTES and scheme and scheme.group(1) not in SAFE_SCHEMES:
                self.problems.append(f"{name}={value[:40]}")

    handle_startendtag = handle_starttag


def unsafe_parts(html: str) -> list[str]:
    """What in `html` could run script or restyle the page (empty when safe)."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.problems
