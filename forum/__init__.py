"""Askdesk: a community support forum with a knowledge base and a ticket desk."""
from pathlib import Path

from flask import Flask

from .config import engine_options, load_config
from .extensions import cache, csrf, db, limiter, login_manager, shared_cache

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the application: settings from the environment, then `config` overrides."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=load_config()["INSTANCE_DIR"],
    )
    app.config.update(load_config())
    app.config.update(config or {})
    if "SQLALCHEMY_ENGINE_OPTIONS" not in (config or {}):  # the pool for the database given
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
            app.config["SQLALCHEMY_DATABASE_URI"])
    _check_reputation_settings(app)

    _init_database(app)
    csrf.init_app(app)
    cache.init_app(app)
    shared_cache.init_app(app, config={
        "CACHE_TYPE": app.config["SHARED_CACHE_TYPE"],
        "CACHE_DIR": str(Path(app.config["INSTANCE_DIR"]) / "shared-cache"),
        "CACHE_REDIS_URL": app.config["CACHE_REDIS_URL"],
        "CACHE_KEY_PREFIX": "askdesk:shared:",
    })
    limiter.init_app(app)
    login_manager.init_app(app)

    import moderation

    from . import cli, i18n, page_cache, schema, security, tasks
    from .api import bp as api_bp
    from .services import views
    from .web import register as register_web

    i18n.init_app(app)
    security.init_app(app)
    views.init_app(app)
    page_cache.init_app(app)
    tasks.init_app(app)
    register_web(app)
    moderation.init_app(app)  # before the API blueprint: it adds routes to it
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)
    cli.init_app(app)
    schema.init_app(app)
    return app


def _check_reputation_settings(app: Flask) -> None:
    """Refuse to start with a point value or privilege threshold that names nothing."""
    from .permissions import check_thresholds
    from .services.reputation import check_rules

    try:
        check_rules(app.config.get("REPUTATION_RULES"))
        check_thresholds(app.config.get("PRIVILEGE_THRESHOLDS"))
    except ValueError as error:
        raise RuntimeError(f"Askdesk configuration: {error}") from None


def _init_database(app: Flask) -> None:
    from . import models  # noqa: F401  (registers the tables)
    from .transactions import tune_postgres, tune_sqlite

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            tune_sqlite(db.engine)
        elif db.engine.dialect.name == "postgresql":
            tune_postgres(app, db.engine)
