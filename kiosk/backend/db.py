"""Database plumbing shared by every domain: the declarative Base, a UTC datetime column type
that behaves the same on SQLite and PostgreSQL, engine creation and Alembic migration.

SQLite runs in WAL mode with synchronous=NORMAL: a committed (acknowledged) transaction
survives the server process being killed, and readers never block the single writer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Named constraints so that Alembic migrations are deterministic on both databases.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC: SQLite has no time zones and PostgreSQL's
    `timestamp with time zone` would convert to the session zone; this makes both identical."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=dt.UTC)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=20)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


_UNIT_DEPTH = "maraya_unit_of_work_depth"


@contextmanager
def unit_of_work(db: Session) -> Iterator[Session]:
    """The one place a write is committed. Every service function that writes runs inside this
    block. The outermost unit commits when the block ends, or rolls back when it raises and
    leaves the session usable (a page can still show the error). A unit entered inside another
    joins it, so the same service is the whole write of a request when a route calls it and one
    step of a larger write when the importer, the demo seeder or a `kiosk backend` command does."""
    depth = db.info.get(_UNIT_DEPTH, 0)
    db.info[_UNIT_DEPTH] = depth + 1
    try:
        yield db
        if depth == 0:
            db.commit()
    except BaseException:
        if depth == 0:
            db.rollback()
        raise
    finally:
        db.info[_UNIT_DEPTH] = depth


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose whole work is one unit (the commands, the purge, the demo seeder)."""
    with factory() as session, unit_of_work(session):
        yield session


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would choke on a '%' in a password.
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def migrate(database_url: str) -> None:
    """Bring the schema to the newest revision (the only way tables are created)."""
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            cfg = alembic_config(database_url)
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")
    finally:
        engine.dispose()


def insert_ignoring_duplicates(db: Session, model: type[Base], rows: list[dict], key: str) -> None:
    """INSERT ... ON CONFLICT (key) DO NOTHING on either database: the unique key, not a
    read-then-write check, decides, so concurrent writers cannot double-insert."""
    if not rows:
        return
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.execute(insert(model).values(rows).on_conflict_do_nothing(index_elements=[key]))
