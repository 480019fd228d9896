"""Drafts of the line, edited on the dashboard, and each of their saves.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ivr.store.schema import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "line_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line", sa.String(length=200), nullable=False),
        sa.Column("started_from", sa.String(length=300), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("discarded_at", UTCDateTime(), nullable=True),
        sa.Column("discarded_by", sa.String(length=200), nullable=True),
        sa.Column("published_as", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_drafts")),
    )
    op.create_index("ix_line_drafts_line", "line_drafts", ["line"])
    op.create_table(
        "line_draft_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("saved_by", sa.String(length=200), nullable=False),
        sa.Column("saved_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["draft_id"], ["line_drafts.id"], ondelete="CASCADE",
                                name=op.f("fk_line_draft_revisions_draft_id_line_drafts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_draft_revisions")),
        sa.UniqueConstraint("draft_id", "revision", name=op.f("uq_line_draft_revisions_draft_id_revision")),
    )


def downgrade() -> None:
    op.drop_table("line_draft_revisions")
    op.drop_index("ix_line_drafts_line", table_name="line_drafts")
    op.drop_table("line_drafts")
