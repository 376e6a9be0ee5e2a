"""Markdown preview for the editors: rendered exactly as a saved post would be."""
from flask_babel import lazy_gettext as _l

from ..rendering import render_markdown
from . import content, inputs


def preview(text) -> str:
    """Sanitised HTML for `text`; only the length is checked (empty is fine)."""
    text = inputs.text(text, "body", max_len=content.BODY_MAX, label=_l("Body"))
    return render_markdown(text) if text else ""
