"""Settings, all read from ASKDESK_* environment variables.

Nothing else in the application reads the environment: `load_config()` is
the single place, so the README's table of variables is complete.
"""
import os
import secrets
from pathlib import Path


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() not in {"0", "false", "no", "off"}


def _secret_key(instance_dir: Path) -> str:
    """Use ASKDESK_SECRET_KEY, else a key generated once and kept in the instance dir."""
    key = os.environ.get("ASKDESK_SECRET_KEY")
    if key:
        return key
    path = instance_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _number(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value and value.strip().isdigit() else default


def _sla_hours(value: str | None) -> dict[str, int]:
    """First-response times per priority, e.g. "low=72,normal=24,high=8,urgent=4"."""
    hours = {"low": 72, "normal": 24, "high": 8, "urgent": 4}
    for item in (value or "").split(","):
        name, _, number = item.partition("=")
        if name.strip() in hours and number.strip().isdigit():
            hours[name.strip()] = int(number)
    return hours

def _choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = (os.environ.get(name) or default).strip().lower()
    if value not in choices:
        raise RuntimeError(f"{name}: expected one of {', '.join(choices)}, got {value!r}")
    return value


def _pairs(name: str) -> dict[str, int]:
    """Read "a=1,b=-2" from variable `name` into {"a": 1, "b": -2}."""
    raw = os.environ.get(name, "").strip()
    values: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        key, sep, number = item.partition("=")
        try:
            values[key.strip()] = int(number)
        except ValueError:
            sep = ""
        if not sep:
            raise RuntimeError(f"{name}: expected name=integer pairs, got {item!r}")
    return values


def engine_options(database_url: str) -> dict:
    """Connection pool settings. A sync worker serves one request at a time and its task
    thread (TASKS_MODE "thread") may hold a second connection, so a small pool per process
    is enough; processes x (size + overflow) must stay under the server's max_connections
    (or put PgBouncer in front)."""
    if database_url.startswith("sqlite"):
        return {}  # a file: no server that could drop a connection, so nothing to ping
    # No pre-ping: forum.transactions.tune_postgres pings connections that were idle.
    return {"pool_size": _number("ASKDESK_DB_POOL_SIZE", 2),
            "max_overflow": _number("ASKDESK_DB_MAX_OVERFLOW", 3),
            "pool_recycle": _number("ASKDESK_DB_POOL_RECYCLE", 1800)}


def load_config() -> dict:
    """Build the Flask config from the environment."""
    instance_dir = Path(os.environ.get("ASKDESK_INSTANCE_DIR", "instance")).resolve()
    instance_dir.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get(
        "ASKDESK_DATABASE_URL", f"sqlite:///{instance_dir / 'askdesk.sqlite3'}"
    )
    redis_url = os.environ.get("ASKDESK_REDIS_URL") or None
    search_backend = os.environ.get("ASKDESK_SEARCH_BACKEND", "whoosh").strip().lower()
    site_language = os.environ.get("ASKDESK_SITE_LANGUAGE", "en").strip().lower()
    site_url = os.environ.get("ASKDESK_SITE_URL", "http://127.0.0.1:5000")
    # Cookies are marked Secure whenever the site is served over https.
    https = site_url.startswith("https://")
    return {
        "INSTANCE_DIR": str(instance_dir),
        "SECRET_KEY": _secret_key(instance_dir),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        # Mail and search indexing run after the request (forum/tasks.py): "rq" hands them
        # to `askdesk worker` processes, "thread" to a thread of each web process, "process"
        # to the task process gunicorn starts (gunicorn.conf.py), "inline" runs them in the
        # request. TASKS_BATCH_SECONDS: how long they gather a batch (or how often the task
        # process looks).
        "TASKS_MODE": _choice("ASKDESK_TASKS_MODE", ("inline", "thread", "process", "rq"),
                              "rq" if redis_url else "thread"),
        "TASKS_BATCH_SECONDS": float(os.environ.get("ASKDESK_TASKS_BATCH_SECONDS") or 1.0),
        # A vote's new score reaches the search index's order at the end of a window this
        # long (votes in one window share an index write: forum/services/indexing.py).
        "SEARCH_RESCORE_SECONDS": _number("ASKDESK_SEARCH_RESCORE_SECONDS", 60),
        # Thread views are buffered and written at most this often (forum/services/views.py).
        "VIEW_FLUSH_SECONDS": _number("ASKDESK_VIEW_FLUSH_SECONDS", 10),
        "CACHE_TYPE": "RedisCache" if redis_url else "SimpleCache",
        "CACHE_REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": "askdesk:",
        "SHARED_CACHE_TYPE": "RedisCache" if redis_url else "FileSystemCache",
        # Pages shared by anonymous visitors are rendered again at least this often, so that
        # "3 minutes ago" stays near the truth (writes make them stale at once: page_cache.py).
        "PAGE_CACHE_SECONDS": _number("ASKDESK_PAGE_CACHE_SECONDS", 60),
        # Thread-page posts are cached as HTML at most this long (forum/web/fragments.py);
        # 0 turns that off.
        "FRAGMENT_CACHE_SECONDS": _number("ASKDESK_FRAGMENT_CACHE_SECONDS", 60),
        # Top helpers are recounted at most this often (their queries scan the ledger).
        "LEADERS_CACHE_SECONDS": _number("ASKDESK_LEADERS_CACHE_SECONDS", 300),
        # "Related" threads and articles beside a thread or article are searched again
        # at most this often (a search at 100,000 threads costs tens of milliseconds).
        "RELATED_CACHE_SECONDS": _number("ASKDESK_RELATED_CACHE_SECONDS", 600),
        "RATELIMIT_ENABLED": _flag("ASKDESK_RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Posting limits (moderation/screening.py), in Flask-Limiter's notation; the NEW_
        # ones apply on top while a member is new, the others to everyone but moderators.
        "POST_LIMIT_NEW_THREADS": os.environ.get("ASKDESK_POST_LIMIT_NEW_THREADS",
                                                 "1 per 5 minutes"),
        "POST_LIMIT_NEW_REPLIES": os.environ.get("ASKDESK_POST_LIMIT_NEW_REPLIES",
                                                 "1 per 30 seconds"),
        "POST_LIMIT_THREADS": os.environ.get("ASKDESK_POST_LIMIT_THREADS", "10 per hour"),
        "POST_LIMIT_REPLIES": os.environ.get("ASKDESK_POST_LIMIT_REPLIES", "60 per hour"),
        # Spam screening: who counts as new, how many links they may post, what is held.
        "SCREENING_NEW_USER_REPUTATION": _number("ASKDESK_SCREENING_NEW_USER_REPUTATION", 10),
        "SCREENING_NEW_USER_HOURS": _number("ASKDESK_SCREENING_NEW_USER_HOURS", 24),
        "SCREENING_NEW_USER_MAX_LINKS": _number("ASKDESK_SCREENING_NEW_USER_MAX_LINKS", 2),
        "SCREENING_HOLD_LINKS": _number("ASKDESK_SCREENING_HOLD_LINKS", 5),
        "SCREENING_DUPLICATE_HOURS": _number("ASKDESK_SCREENING_DUPLICATE_HOURS", 72),
        "SMTP_URL": os.environ.get("ASKDESK_SMTP_URL") or None,
        "MAIL_FROM": os.environ.get("ASKDESK_MAIL_FROM", "Askdesk <noreply@askdesk.local>"),
        "SITE_NAME": os.environ.get("ASKDESK_SITE_NAME", "Askdesk"),
        # Ticket mail goes out with Reply-To support+<ticket>.<signature>@<its domain>.
        "SUPPORT_ADDRESS": os.environ.get("ASKDESK_SUPPORT_ADDRESS", "support@askdesk.local"),
        "TICKET_SLA_HOURS": _sla_hours(os.environ.get("ASKDESK_TICKET_SLA_HOURS")),
        "TICKET_AUTOCLOSE_DAYS": _number("ASKDESK_TICKET_AUTOCLOSE_DAYS", 7),
        "UNRESOLVED_NO_ANSWER_HOURS": _number("ASKDESK_UNRESOLVED_NO_ANSWER_HOURS", 48),
        "UNRESOLVED_IDLE_DAYS": _number("ASKDESK_UNRESOLVED_IDLE_DAYS", 7),
        # Community votes that close or reopen a thread (moderators act at once).
        "CLOSE_VOTES": _number("ASKDESK_CLOSE_VOTES", 3),
        "TICKET_ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,
        "SITE_URL": site_url.rstrip("/"),
        # Proxies in front whose X-Forwarded-For/-Proto/-Host are trusted (forum/security.py).
        "PROXY_COUNT": _number("ASKDESK_PROXY_COUNT", 0),
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_SECURE": https,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PASSWORD_HASH_METHOD": "scrypt",
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "en",
        "LANGUAGES": ["en", "de"],
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url),
        "SEARCH_BACKEND": search_backend if search_backend in ("whoosh", "postgres") else "whoosh",
        # Decides the search analyzer (stemming and stop words): "en" or "de".
        "SITE_LANGUAGE": site_language if site_language in ("en", "de") else "en",
        # Processes that analyse documents in a full Whoosh reindex: each writes a segment
        # of its own (100,000 threads: 185 s with one, 119 s with two on two cores).
        "SEARCH_BUILD_PROCS": max(_number("ASKDESK_SEARCH_BUILD_PROCS",
                                          min(os.cpu_count() or 1, 2)), 1),
        # Overrides of the defaults in forum/services/reputation.py and forum/permissions.py.
        "REPUTATION_RULES": _pairs("ASKDESK_REPUTATION"),
        "PRIVILEGE_THRESHOLDS": _pairs("ASKDESK_PRIVILEGES"),
        # Pending flags from distinct users that hide a post or comment until a moderator decides.
        "FLAGS_TO_HIDE": max(_number("ASKDESK_FLAGS_TO_HIDE", 3), 1),
    }
