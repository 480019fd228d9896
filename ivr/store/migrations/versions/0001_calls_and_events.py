"""Calls and their events.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ivr.store.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("line", sa.String(length=200), nullable=False),
        sa.Column("caller_hash", sa.String(length=64), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
        sa.UniqueConstraint("call_sid", name=op.f("uq_calls_call_sid")),
    )
    op.create_index("ix_calls_line_started_at", "calls", ["line", "started_at"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("node", sa.String(length=64), nullable=False),
        sa.Column("from_node", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.Column("input", sa.String(length=8), nullable=True),
        sa.Column("digits", sa.String(length=32), nullable=True),
        sa.Column("speech", sa.Text(), nullable=True),
        sa.Column("transfer_to", sa.String(length=16), nullable=True),
        sa.Column("dial_status", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_sid"], ["calls.call_sid"], name=op.f("fk_events_call_sid_calls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("key", name=op.f("uq_events_key")),
    )
    op.create_index("ix_events_call_sid_at", "events", ["call_sid", "at"])


def downgrade() -> None:
    op.drop_index("ix_events_call_sid_at", table_name="events")
    op.drop_table("events")
    op.drop_index("ix_calls_line_started_at", table_name="calls")
    op.drop_table("calls")
