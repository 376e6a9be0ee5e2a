"""The Flask extensions, created unbound and initialised by create_app."""
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from .db_session import Session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Pages, fragments and search results that may lag a little: in-process, or in Redis
# when configured.
cache = Cache()
# Costly results that every worker of a site may share (leaderboards): in files of the
# instance folder, or in Redis when configured. A worker that gunicorn starts in place of
# another finds them there, instead of counting them again while requests wait.
shared_cache = Cache()
limiter = Limiter(key_func=get_remote_address)
