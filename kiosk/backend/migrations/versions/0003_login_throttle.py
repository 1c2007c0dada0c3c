"""Sign-in failure budgets move to their own table (atomic upserts, also for unknown e-mails);
the per-user counters they replace are dropped.

Revision ID: 0003_login_throttle
Revises: 0002_handoff_tokens
"""

import sqlalchemy as sa
from alembic import op

import kiosk.backend.db

revision = "0003_login_throttle"
down_revision = "0002_handoff_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=320), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", kiosk.backend.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    op.create_index(op.f("ix_login_throttle_window_start"), "login_throttle", ["window_start"])
    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35 has it): a batch copy of `users` would
    # drop and re-create the table, and its ON DELETE CASCADE children with it.
    op.execute("ALTER TABLE users DROP COLUMN failed_logins")
    op.execute("ALTER TABLE users DROP COLUMN locked_until")


def downgrade() -> None:
    op.add_column("users", sa.Column("locked_until", kiosk.backend.db.UTCDateTime(), nullable=True))
    op.add_column("users", sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
    op.drop_index(op.f("ix_login_throttle_window_start"), table_name="login_throttle")
    op.drop_table("login_throttle")
