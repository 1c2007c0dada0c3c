"""Alembic environment: runs on the connection handed over by kiosk.backend.db.migrate, or on
a fresh engine from sqlalchemy.url when called from the alembic CLI."""

from __future__ import annotations

from alembic import context

from kiosk.backend.db import make_engine
from kiosk.backend.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()
