"""Text conversations: where each texter is on a line, and the numbers that said STOP, by keyed hash.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ivr.store.schema import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "text_conversations",
        sa.Column("caller_hash", sa.String(length=64), nullable=False),
        sa.Column("line", sa.String(length=200), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("caller_hash", "line", name=op.f("pk_text_conversations")),
    )
    op.create_index("ix_text_conversations_updated_at", "text_conversations", ["updated_at"])
    op.create_table(
        "text_opt_outs",
        sa.Column("caller_hash", sa.String(length=64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("caller_hash", name=op.f("pk_text_opt_outs")),
    )


def downgrade() -> None:
    op.drop_table("text_opt_outs")
    op.drop_index("ix_text_conversations_updated_at", table_name="text_conversations")
    op.drop_table("text_conversations")
