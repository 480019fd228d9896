"""An index to find a caller's last call quickly, for the language they chose (call.remember_language).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_calls_caller_hash_started_at", "calls", ["caller_hash", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_calls_caller_hash_started_at", table_name="calls")
