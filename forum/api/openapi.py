"""GET /api/v1/openapi.json: the OpenAPI 3.1 description of every endpoint.

A test checks that each route of the blueprint appears here and that the
documented thread and post fields are exactly the ones returned.
"""
from functools import cache

from flask import current_app, jsonify

from . import bp
from .openapi_schemas import SCHEMAS, ref
from .openapi_tickets import TICKET_SCHEMAS, ticket_paths

_ERRORS = {
    "400": ("BadRequest", "Malformed JSON, a body that is not an object, or not JSON."),
    "401": ("Unauthorized", "No token where one is required, or an invalid/revoked token."),
    "403": ("Forbidden", "Not allowed. Code privilege_required when reputation would allow it: "
                         "fields privilege, threshold, reputation and missing say how far."),
    "404": ("NotFound", "Missing, or not visible to the caller."),
    "409": ("Conflict", "Clashes with something that exists."),
    "413": ("TooLarge", "The body is larger than 256 KiB."),
    "422": ("ValidationFailed", "A value is missing or not valid; `fields` says which."),
    "429": ("RateLimited", "Too many requests; see Retry-After."),
}
_READ = ("404",)
_WRITE = ("400", "401", "403", "404", "413", "422", "429")
_PAGE_PARAMS = [
    {"name": "page", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {"name": "per_page", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 30}},
]


def _path_param(name: str, schema: dict) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _query(name: str, schema: dict, description: str | None = None) -> dict:
    param = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        param["description"] = description
    return param


# Paths and schemas that other packages (moderation) add to this document.
_EXTENSION_PATHS: list = []
_EXTENSION_SCHEMAS: dict = {}


def extend(paths, schemas: dict) -> None:
    """Add another package's part: `paths` is called like `ticket_paths`, with
    (_op, _path_param, _PAGE_PARAMS, _WRITE), and returns OpenAPI paths."""
    _EXTENSION_PATHS.append(paths)
    _EXTENSION_SCHEMAS.update(schemas)
    document.cache_clear()


THREAD_ID = _path_param("thread_id", {"type": "integer", "minimum": 1})
POST_ID = _path_param("post_id", {"type": "integer", "minimum": 1})
USERNAME = _path_param("username", {"type": "string"})
SLUG = _path_param("slug", {"type": "string"})


def _op(op_id, summary, *, ok, schema=None, body=None, auth=None, errors=_READ,
        params=(), description=None) -> dict:
    """One operation. auth: None optional token, True required, False no token needed."""
    responses = {}
    if schema is None:
        responses[str(ok)] = {"description": "Done; no content."}
    else:
        responses[str(ok)] = {
            "description": "Success.",
            "content": {"application/json": {"schema": ref(schema)}},
        }
    for status in errors:
        responses[status] = {"$ref": f"#/components/responses/{_ERRORS[status][0]}"}
    responses["default"] = {"$ref": "#/components/responses/Error"}
    operation = {"operationId": op_id, "summary": summary, "responses": responses}
    if description:
        operation["description"] = description
    if params:
        operation["parameters"] = list(params)
    if body:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref(body)}},
        }
    operation["security"] = [{"bearerAuth": []}] if auth else [{}, {"bearerAuth": []}]
    return operation


def _paths() -> dict:
    write = {"auth": True, "errors": _WRITE}
    return {
        "/users": {"post": _op(
            "createUser", "Sign up", ok=201, schema="User", body="NewUser",
            errors=("400", "401", "409", "413", "422", "429"),
            description="Extra fields such as role or reputation are ignored.")},
        "/auth/token": {
            "post": _op("createToken", "Get a bearer token", ok=200, schema="Token",
                        body="TokenRequest", errors=("400", "401", "413", "429"),
                        description="401 with the same message whether or not the user exists."),
            "delete": _op("revokeToken", "Revoke the token used (log out)", ok=204,
                          auth=True, errors=("401",)),
        },
        "/auth/logout": {"post": _op("logout", "Revoke the token used (log out)", ok=204,
                                     auth=True, errors=("401",))},
        "/me": {"get": _op("getMe", "Own profile with email and privileges", ok=200,
                           schema="Me", auth=True, errors=("401",))},
        "/users/{username}": {"get": _op("getUser", "A user's public profile", ok=200,
                                         schema="User", params=[USERNAME])},
        "/users/{username}/reputation": {"get": _op(
            "getReputation", "A user's reputation ledger, newest first", ok=200,
            schema="LedgerEventList", params=[USERNAME, *_PAGE_PARAMS], errors=("404", "422"))},
        "/boards": {
            "get": _op("listBoards", "Boards in display order", ok=200, schema="BoardList",
                       params=_PAGE_PARAMS, errors=("422",),
                       description="per_page defaults to 100 here."),
            "post": _op("createBoard", "Create a board (admins)", ok=201, schema="Board",
                        body="NewBoard", auth=True, errors=(*_WRITE, "409")),
        },
        "/boards/{slug}/threads": {"get": _op(
            "listThreads", "A board's threads, pinned first", ok=200,
            schema="ThreadSummaryList", errors=("404", "422"), params=[
                SLUG,
                {"name": "sort", "in": "query", "required": False, "schema": {
                    "type": "string", "enum": ["active", "newest", "votes", "unanswered"],
                    "default": "active"}},
                {"name": "tag", "in": "query", "required": False, "schema": {"type": "string"}},
                *_PAGE_PARAMS,
            ])},
        "/threads": {"post": _op("createThread", "Ask a question", ok=201, schema="Thread",
                                 body="NewThread", **write)},
        "/threads/{thread_id}": {"get": _merged_redirect(_op(
            "getThread", "A thread with its posts and comments", ok=200, schema="Thread",
            params=[THREAD_ID], description="Reading through the API does not count a view."))},
        "/threads/{thread_id}/answers": {"post": _op(
            "createAnswer", "Answer a thread", ok=201, schema="Post", body="NewAnswer",
            params=[THREAD_ID], **write)},
        "/threads/{thread_id}/accept": {"post": _op(
            "acceptAnswer", "Accept an answer (asker, staff)", ok=200, schema="Thread",
            body="Accept", params=[THREAD_ID], **write)},
        "/posts/{post_id}": {
            "get": _op("getPost", "A post with its comments", ok=200, schema="Post",
                       params=[POST_ID]),
            "patch": _op("editPost", "Edit a post (a revision is kept)", ok=200, schema="Post",
                         body="PostEdit", params=[POST_ID], **write),
            "delete": _op("deletePost", "Soft-delete a post", ok=204, params=[POST_ID],
                          auth=True, errors=("401", "403", "404"),
                          description="Deleting the question deletes the thread."),
        },
        "/posts/{post_id}/revisions": {"get": _op(
            "listRevisions", "A post's revisions, oldest first", ok=200,
            schema="RevisionList", params=[POST_ID, *_PAGE_PARAMS], errors=("404", "422"))},
        "/posts/{post_id}/comments": {"post": _op(
            "createComment", "Comment on a post or reply to a comment", ok=201,
            schema="Comment", body="NewComment", params=[POST_ID], **write)},
        "/posts/{post_id}/vote": {"post": _op(
            "vote", "Vote a post up, down, or withdraw (0)", ok=200, schema="VoteResult",
            body="VoteRequest", params=[POST_ID], **write)},
        "/search": {"get": _op(
            "search", "Search threads and KB articles", ok=200, schema="SearchResults",
            errors=("422",), params=[
                _query("q", {"type": "string", "maxLength": 500}, "Words, \"phrases\", "
                       "-excluded, board:slug, tag:name, is:solved|unsolved, type:thread|kb."),
                _query("board", {"type": "string"}, "Only this board (slug)."),
                _query("type", {"type": "string", "enum": ["thread", "kb"]}),
                _query("solved", {"type": "string", "enum": ["true", "false"]}),
                _query("sort", {"type": "string", "enum": ["relevance", "newest", "votes"],
                                "default": "relevance"}),
                *_PAGE_PARAMS,
            ],
            description=(
                "Threads and published KB articles; deleted threads, drafts and archived "
                "articles never appear. solved (and is:solved) limits results to threads. "
                "KB articles rank above threads of equal relevance. per_page defaults to 20."))},
        "/search/similar": {"get": _op(
            "searchSimilar", "Threads and KB articles like a question being typed", ok=200,
            schema="SimilarResults", errors=("422", "429"), params=[
                _query("title", {"type": "string", "maxLength": 300}, "The title typed so far."),
            ],
            description="Up to 5 threads (solved first), then up to 5 KB articles.")},
        **_kb_paths(write),
        "/openapi.json": {"get": _op("getOpenApi", "This document", ok=200, schema="OpenApi",
                                     errors=())},
        **ticket_paths(_op, _path_param, _PAGE_PARAMS, _WRITE),
        **{path: item for extension in _EXTENSION_PATHS
           for path, item in extension(_op, _path_param, _PAGE_PARAMS, _WRITE).items()},
    }


def _merged_redirect(operation: dict) -> dict:
    """A thread merged into another by a moderator answers 301, saying where it went."""
    operation["responses"]["301"] = {
        "description": "The thread was merged into another: Location is its address.",
        "headers": {"Location": {"schema": {"type": "string"}}},
        "content": {"application/json": {"schema": {
            "type": "object", "properties": {"merged_into": {"type": "integer", "minimum": 1}},
            "required": ["merged_into"]}}},
    }
    return operation


def _kb_paths(write: dict) -> dict:
    staff = {**write, "description": "Staff only (403 for others)."}
    promote = _op(
        "promoteAnswer", "Turn an answer into a draft KB article (staff)", ok=201,
        schema="Article", body="Promote", params=[POST_ID], auth=True, errors=(*_WRITE, "409"),
        description=("The body may be empty. 409 `already_promoted` when the answer was "
                     "promoted before; `fields.article_slug` names that article."))
    promote["requestBody"]["required"] = False
    return {
        "/kb/articles": {
            "get": _op("listArticles", "Published articles by title", ok=200,
                       schema="ArticleList", errors=("404", "422"), params=[
                           {"name": "board", "in": "query", "required": False,
                            "schema": {"type": "string"}, "description": "A board slug."},
                           {"name": "kind", "in": "query", "required": False, "schema": {
                               "type": "string", "enum": ["article", "faq", "tutorial"]}},
                           *_PAGE_PARAMS],
                       description="Staff also see drafts and archived articles."),
            "post": _op("createArticle", "Write a draft article (staff)", ok=201,
                        schema="Article", body="NewArticle", **staff),
        },
        "/kb/articles/{slug}": {"get": _op(
            "getArticle", "An article by its slug or a former one", ok=200, schema="Article",
            params=[SLUG], description=(
                "Drafts and archived articles are 404 except for staff (an archived one "
                "with the code `article_retired`)."))},
        "/kb/articles/{slug}/publish": {"post": _op(
            "publishArticle", "Publish an article (staff)", ok=200, schema="Article",
            params=[SLUG], auth=True, errors=("401", "403", "404", "429"))},
        "/kb/articles/{slug}/feedback": {"post": _op(
            "giveFeedback", "Say whether a published article helped", ok=201,
            schema="Feedback", body="FeedbackRequest", params=[SLUG],
            errors=("400", "401", "404", "413", "422", "429"),
            description=("One answer per user, or per anonymous client (address and "
                         "User-Agent); a repeat replaces the earlier answer. Anonymous "
                         "feedback is rate limited per network (429)."))},
        "/posts/{post_id}/promote": {"post": promote},
    }


def _responses() -> dict:
    def error(description: str, headers: dict | None = None) -> dict:
        response = {
            "description": description,
            "content": {"application/json": {"schema": ref("Error")}},
        }
        if headers:
            response["headers"] = headers
        return response

    responses = {name: error(text) for name, text in _ERRORS.values()}
    responses["RateLimited"] = error(_ERRORS["429"][1], {
        "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}},
    })
    responses["Error"] = error("Any other error (405, 500, ...), in the same format.")
    return responses


@cache
def document(server_url: str) -> dict:
    """The OpenAPI document, with the API's base URL as its server."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Askdesk API",
            "version": "1.0.0",
            "description": (
                "JSON in and out (UTF-8), times in ISO 8601 UTC. Authenticate with "
                "`Authorization: Bearer <token>` from POST /auth/token; without it a "
                "request is anonymous. No cookies are used. Every error has the Error "
                "shape. Lists take `page` and `per_page` (at most 100)."
            ),
        },
        "servers": [{"url": server_url}],
        "paths": _paths(),
        "components": {
            "schemas": {
                **SCHEMAS,
                **TICKET_SCHEMAS,
                **_EXTENSION_SCHEMAS,
                "OpenApi": {"type": "object", "description": "An OpenAPI 3.1 document."},
            },
            "responses": _responses(),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "A token from POST /auth/token."},
            },
        },
    }


@bp.get("/openapi.json")
def openapi_document():
    """Serve the OpenAPI document."""
    root = current_app.config.get("APPLICATION_ROOT", "/").rstrip("/")
    return jsonify(document(root + bp.url_prefix))
