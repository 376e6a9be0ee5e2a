"""Links to the site's pages: absolute ones, built outside a request (mail, CLI) too,
and the paths of search results."""
from urllib.parse import urlsplit

from flask import current_app, url_for


def absolute_url(endpoint: str, **values) -> str:
    """The full address of `endpoint` on ASKDESK_SITE_URL."""
    parts = urlsplit(current_app.config["SITE_URL"])
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


def document_path(doc_type: str, target) -> str:
    """The path of a searchable document's page: a thread ("thread") or a KB article ("kb")."""
    if doc_type == "kb":
        return url_for("kb.article", slug=target.slug)
    return url_for("threads.show", thread_id=target.id, slug=target.slug)
