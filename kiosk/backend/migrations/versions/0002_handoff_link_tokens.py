"""handoff links carry a 128-bit token, stored hashed

Revision ID: 0002_handoff_tokens
Revises: 0001
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa


revision = "0002_handoff_tokens"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Looks made before this revision have no token and so no public link any more; they expire
    # within a day and the purge removes them.
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("token_sha256", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_handoffs_token_sha256"), ["token_sha256"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoffs_token_sha256"))
        batch_op.drop_column("token_sha256")
