"""Reminders: the windows a sweep has handled, a patron's opt-out, events by start time;
an event's own time zone.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminder_marks",
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("offset_minutes", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "offset_minutes"),
    )
    with op.batch_alter_table("bookings") as batch:
        batch.add_column(
            sa.Column("reminders_stopped_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.create_index("ix_events_starts_at", "events", ["starts_at"])
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("timezone")
    op.drop_index("ix_events_starts_at", table_name="events")
    with op.batch_alter_table("bookings") as batch:
        batch.drop_column("reminders_stopped_at")
    op.drop_table("reminder_marks")
