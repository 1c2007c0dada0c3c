"""Stores name their time zone (IANA), so every time shown to shoppers and staff is local.

Revision ID: 0004_store_timezone
Revises: 0003_login_throttle
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_store_timezone"
down_revision = "0003_login_throttle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN with a server default (no batch copy: that would re-create `stores` and
    # cascade-delete its children on SQLite); existing stores become Asia/Riyadh.
    op.add_column(
        "stores", sa.Column("timezone", sa.String(length=64), nullable=False, server_default="Asia/Riyadh")
    )


def downgrade() -> None:
    op.execute("ALTER TABLE stores DROP COLUMN timezone")
