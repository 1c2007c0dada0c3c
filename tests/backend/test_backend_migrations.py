"""Alembic is the only way tables are made: the migrations build exactly the models' schema on
both databases, and the demo seed is idempotent."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kiosk.backend.db import make_engine, migrate
from kiosk.backend.demo import seed_demo
from kiosk.backend.models import Base


def test_migrations_match_the_models(database_url):
    migrate(database_url)
    engine = make_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    assert diff == []


def test_seed_demo_twice_changes_nothing(database_url, tmp_path):
    first = seed_demo(database_url, tmp_path)
    second = seed_demo(database_url, tmp_path)
    assert first == second and first.store_id == "riyadh-01"
