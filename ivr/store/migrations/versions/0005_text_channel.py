"""Text conversations in the call records: each call's channel (voice or text), and each kept conversation's id.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as calls:
        calls.add_column(sa.Column("channel", sa.String(length=8), nullable=False, server_default="voice"))
    with op.batch_alter_table("text_conversations") as conversations:
        conversations.add_column(sa.Column("conversation", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("text_conversations") as conversations:
        conversations.drop_column("conversation")
    with op.batch_alter_table("calls") as calls:
        calls.drop_column("channel")
