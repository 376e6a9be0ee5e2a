"""The component schemas of the OpenAPI document: the shapes in serializers.py."""

DATE_TIME = {"type": "string", "format": "date-time", "description": "ISO 8601, UTC (Z)."}
NULLABLE_DATE_TIME = {**DATE_TIME, "type": ["string", "null"]}
ID = {"type": "integer", "minimum": 1}
ROLE = {"type": "string", "enum": ["user", "moderator", "staff", "admin"]}


def ref(name: str) -> dict:
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def response_object(description: str, properties: dict) -> dict:
    """A response shape: every property is always present, no others appear."""
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def request_object(description: str, properties: dict, required: list[str]) -> dict:
    """A request body: only these fields are read; any others are ignored."""
    return {
        "type": "object",
        "description": description + " Fields not listed are ignored.",
        "properties": properties,
        "required": required,
    }


def page_of(item: str) -> dict:
    """The list envelope around `item` schemas."""
    return response_object(f"One page of {item} items.", {
        "items": {"type": "array", "items": ref(item)},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
        "total": {"type": "integer", "minimum": 0},
    })


_USER_FIELDS = {
    "id": ID,
    "username": {"type": "string"},
    "reputation": {"type": "integer", "minimum": 1,
                   "description": "Shown reputation (never below 1)."},
    "role": ROLE,
    "created_at": DATE_TIME,
    "answer_count": {"type": "integer", "minimum": 0},
    "accepted_count": {"type": "integer", "minimum": 0},
}

_THREAD_FIELDS = {
    "id": ID,
    "board": {"type": "string", "description": "The board's slug."},
    "title": {"type": "string"},
    "slug": {"type": "string"},
    "author": ref("Author"),
    "status": {"type": "string", "enum": ["open", "answered", "closed", "deleted"]},
    "is_locked": {"type": "boolean"},
    "is_pinned": {"type": "boolean"},
    "score": {"type": "integer", "description": "The question's score."},
    "view_count": {"type": "integer", "minimum": 0,
                   "description": "Views of the HTML page; API reads are not counted."},
    "answer_count": {"type": "integer", "minimum": 0},
    "accepted_answer_id": {"type": ["integer", "null"]},
    "tags": {"type": "array", "items": {"type": "string"}},
    "ticket_id": {"type": ["integer", "null"], "description": (
        "The support ticket the thread was escalated to: only in a single thread, and only "
        "for its asker and staff; null otherwise and in lists.")},
    "kb_article_slug": {"type": ["string", "null"], "description": (
        "The KB article promoted from one of its answers (the accepted answer's first): "
        "published ones for everyone, drafts and archived ones for staff too. Only the "
        "full thread fills it; lists give null.")},
    "created_at": DATE_TIME,
    "last_activity_at": DATE_TIME,
}

SCHEMAS = {
    "Error": response_object("The one error format of the API.", {
        "error": response_object("What went wrong.", {
            "code": {"type": "string", "description": "Machine-readable, e.g. validation_failed."},
            "message": {"type": "string", "description": "Human-readable."},
            "fields": {
                "type": "object", "additionalProperties": {"type": "string"},
                "description": "Problem per request field; may be empty.",
            },
        }),
    }),
    "Author": response_object("A user as shown next to content.", {
        "id": ID,
        "username": {"type": "string"},
        "reputation": {"type": "integer", "minimum": 1},
    }),
    "User": response_object("A public profile.", _USER_FIELDS),
    "Me": response_object("The signed-in user's own profile.", {
        **_USER_FIELDS,
        "email": {"type": "string", "format": "email"},
        "privileges": {"type": "array", "items": {"type": "string"}, "description": (
            "Names of what the user may do: role abilities (ask, answer, comment_own, "
            "accept_own, edit_own; edit_any, delete_any, view_deleted, restore_any for "
            "moderators; accept_any for staff; create_board for admins) and the reputation "
            "privileges earned (vote_up, flag, comment_everywhere, vote_down, create_tags, "
            "close_reopen, edit_others, review_queue; moderators and up hold them all).")},
    }),
    "Token": response_object("A new bearer token (shown once) and its user.", {
        "token": {"type": "string"},
        "user": ref("Me"),
    }),
    "LedgerEvent": response_object("One change of a user's reputation.", {
        "amount": {"type": "integer"},
        "reason": {"type": "string", "description": (
            "upvote, downvote, downvote_cast, accepted, accept_given, promoted; a reversal "
            "adds _undone (upvote_undone ...); post_deleted and post_restored.")},
        "post_id": {"type": ["integer", "null"]},
        "created_at": DATE_TIME,
    }),
    "Board": response_object("A product-area board.", {
        "id": ID,
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "parent": {"type": ["string", "null"], "description": "The parent board's slug."},
        "thread_count": {"type": "integer", "minimum": 0},
    }),
    "ThreadSummary": response_object("A thread without its posts (board lists).", _THREAD_FIELDS),
    "Thread": response_object("A thread with its question and answers.", {
        **_THREAD_FIELDS,
        "question": ref("Post"),
        "answers": {"type": "array", "items": ref("Post"),
                    "description": "The accepted answer first, then by score."},
    }),
    "Post": response_object("The question or an answer.", {
        "id": ID,
        "thread_id": ID,
        "kind": {"type": "string", "enum": ["question", "answer"]},
        "author": ref("Author"),
        "body": {"type": "string", "description": "Markdown source."},
        "body_html": {"type": "string", "description": "Sanitised HTML."},
        "score": {"type": "integer"},
        "is_accepted": {"type": "boolean"},
        "is_staff_answer": {"type": "boolean",
                            "description": "Posted by staff as a support ticket's resolution."},
        "is_deleted": {"type": "boolean", "description": "Only moderators see deleted posts."},
        "is_held": {"type": "boolean", "description": (
            "Held by spam screening until a moderator approves it: only its author and "
            "moderators see it meanwhile.")},
        "my_vote": {"type": "integer", "enum": [-1, 0, 1],
                    "description": "The caller's vote; 0 for none or anonymous."},
        "comments": {"type": "array", "items": ref("Comment"),
                     "description": "Reading order: each reply follows its parent."},
        "created_at": DATE_TIME,
        "edited_at": NULLABLE_DATE_TIME,
    }),
    "Comment": response_object("A comment on a post; parent_id makes it a reply.", {
        "id": ID,
        "post_id": ID,
        "parent_id": {"type": ["integer", "null"]},
        "author": ref("Author"),
        "body": {"type": "string", "description": "Markdown source."},
        "body_html": {"type": "string", "description": "Sanitised HTML."},
        "is_deleted": {"type": "boolean", "description": "Only moderators see deleted comments."},
        "is_held": {"type": "boolean", "description": (
            "Held by spam screening until a moderator approves it: only its author and "
            "moderators see it meanwhile.")},
        "created_at": DATE_TIME,
    }),
    "Revision": response_object("One saved version of a post; number 1 is the original.", {
        "number": {"type": "integer", "minimum": 1},
        "author": ref("Author"),
        "title": {"type": ["string", "null"], "description": "Questions only."},
        "body": {"type": "string"},
        "summary": {"type": "string"},
        "created_at": DATE_TIME,
    }),
    "VoteResult": response_object("The post's score after the vote.", {
        "score": {"type": "integer"},
        "my_vote": {"type": "integer", "enum": [-1, 0, 1]},
    }),
    "SearchResult": response_object("One search hit: a thread or a published KB article.", {
        "type": {"type": "string", "enum": ["thread", "kb"]},
        "id": ID,
        "title": {"type": "string"},
        "url": {"type": "string", "description": (
            "The page's path on this site: /t/<id>/<slug> for a thread, /kb/<slug> for an "
            "article.")},
        "snippet_html": {"type": "string",
                         "description": "Escaped text; matched words in <mark> elements."},
        "score": {"type": "number",
                  "description": "Relevance, higher is better; 0 when sorted by date or votes."},
        "is_solved": {"type": "boolean", "description": (
            "A thread with an accepted answer; always false for KB articles.")},
    }),
    "SearchResults": response_object("One page of search hits.", {
        "items": {"type": "array", "items": ref("SearchResult")},
        "total": {"type": "integer", "minimum": 0, "description": (
            "How many documents match: exact, or an estimate when total_exact is false.")},
        "total_exact": {"type": "boolean", "description": (
            "False when a query matches much of a large index: total is then estimated "
            "(two significant digits) and relevance ranks the newest matches.")},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
        "suggestion": {"type": ["string", "null"],
                       "description": "A corrected query (\"did you mean\") when few match."},
    }),
    "SimilarResults": response_object("Threads (solved first), then KB articles.", {
        "items": {"type": "array", "items": ref("SearchResult"), "maxItems": 10},
        "total": {"type": "integer", "minimum": 0, "maximum": 10},
    }),
    "Article": response_object("A knowledge-base article.", {
        "slug": {"type": "string", "description": "Stable address; former slugs still resolve."},
        "title": {"type": "string"},
        "body": {"type": "string", "description": "Markdown source."},
        "body_html": {"type": "string", "description": (
            "Sanitised HTML; headings carry ids, and in tutorials a line that is only a "
            "YouTube or Vimeo address becomes a youtube-nocookie.com or player.vimeo.com "
            "embed.")},
        "kind": {"type": "string", "enum": ["article", "faq", "tutorial"]},
        "board": {"type": "string", "description": "The product area's board slug."},
        "status": {"type": "string", "enum": ["draft", "published", "archived"],
                   "description": "Only staff see drafts and archived articles."},
        "source_thread_id": {"type": ["integer", "null"],
                             "description": "The thread of the answer it was promoted from."},
        "helpful_yes": {"type": "integer", "minimum": 0},
        "helpful_no": {"type": "integer", "minimum": 0},
        "updated_at": DATE_TIME,
    }),
    "Feedback": response_object("A reader's answer to \"was this helpful?\".", {
        "helpful": {"type": "boolean"},
        "comment": {"type": ["string", "null"]},
        "created_at": DATE_TIME,
        "updated_at": DATE_TIME,
    }),
    "ArticleList": page_of("Article"),
    "BoardList": page_of("Board"),
    "ThreadSummaryList": page_of("ThreadSummary"),
    "LedgerEventList": page_of("LedgerEvent"),
    "RevisionList": page_of("Revision"),
    # Request bodies
    "NewUser": request_object("Sign up.", {
        "username": {"type": "string", "pattern": "^[A-Za-z0-9_.\\-]{3,30}$"},
        "email": {"type": "string", "format": "email", "maxLength": 254},
        "password": {"type": "string", "minLength": 10, "maxLength": 1024},
    }, ["username", "email", "password"]),
    "TokenRequest": request_object("Sign in.", {
        "login": {"type": "string", "description": "Username or email."},
        "password": {"type": "string"},
    }, ["login", "password"]),
    "NewBoard": request_object("A new board.", {
        "slug": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 64},
        "name": {"type": "string", "minLength": 1, "maxLength": 100},
        "description": {"type": "string", "maxLength": 2000},
        "parent": {"type": ["string", "null"], "description": "Slug of a top-level board."},
    }, ["slug", "name"]),
    "NewThread": request_object("A question.", {
        "board": {"type": "string", "description": "The board's slug."},
        "title": {"type": "string", "minLength": 10, "maxLength": 150},
        "body": {"type": "string", "minLength": 20, "maxLength": 30000},
        "tags": {
            "oneOf": [
                {"type": "array", "items": {"type": "string"}, "maxItems": 5},
                {"type": "string", "description": "Comma or space separated."},
            ],
        },
    }, ["board", "title", "body"]),
    "NewAnswer": request_object("An answer.", {
        "body": {"type": "string", "minLength": 20, "maxLength": 30000},
    }, ["body"]),
    "Accept": request_object("The answer to accept.", {
        "answer_id": {"type": ["integer", "null"], "description": "null un-accepts."},
    }, ["answer_id"]),
    "PostEdit": request_object("A post's new text.", {
        "body": {"type": "string", "minLength": 20, "maxLength": 30000},
        "title": {"type": ["string", "null"], "minLength": 10, "maxLength": 150,
                  "description": "Questions only."},
        "edit_summary": {"type": ["string", "null"], "maxLength": 300},
    }, ["body"]),
    "NewComment": request_object("A comment or a reply.", {
        "body": {"type": "string", "minLength": 2, "maxLength": 2000},
        "parent_id": {"type": ["integer", "null"], "description": "The comment replied to."},
    }, ["body"]),
    "NewArticle": request_object("A draft article.", {
        "title": {"type": "string", "minLength": 10, "maxLength": 150},
        "body": {"type": "string", "minLength": 20, "maxLength": 50000},
        "board": {"type": "string", "description": "The product area's board slug."},
        "kind": {"type": "string", "enum": ["article", "faq", "tutorial"],
                 "default": "article"},
    }, ["title", "body", "board"]),
    "Promote": request_object("Optional: the draft's title (default: the thread's).", {
        "title": {"type": ["string", "null"], "minLength": 10, "maxLength": 150},
    }, []),
    "FeedbackRequest": request_object("Whether the article helped.", {
        "helpful": {"type": "boolean"},
        "comment": {"type": ["string", "null"], "maxLength": 1000,
                    "description": "Only with helpful=false: what was missing."},
    }, ["helpful"]),
    "VoteRequest": request_object("A vote.", {
        "value": {"type": "integer", "enum": [-1, 0, 1], "description": "0 withdraws."},
    }, ["value"]),
}
