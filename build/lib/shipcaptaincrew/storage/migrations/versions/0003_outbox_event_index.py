"""Index the outbox by booking, so a roster's email statuses are one indexed read.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_event", "outbox", ["event_id", "patron_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_event", table_name="outbox")
