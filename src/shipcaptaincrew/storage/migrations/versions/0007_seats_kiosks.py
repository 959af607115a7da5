"""A waiver per person (a booking's seats, a signature's seat) and waiver kiosks.

Existing bookings need no rewrite: ``seats`` starts as ``[]`` and a booking whose waiver
is already on file (paper, or one e-signature from before seats) counts as signed for its
whole party; its signature keeps ``seat`` NULL and stays the PDF's one page.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bookings") as batch:
        batch.add_column(sa.Column("seats", sa.Text(), nullable=False, server_default="[]"))
    with op.batch_alter_table("waiver_signatures") as batch:
        batch.add_column(sa.Column("seat", sa.Integer(), nullable=True))
    op.create_table(
        "kiosks",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("started_by", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_kiosks_event", "kiosks", ["event_id", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_kiosks_event", table_name="kiosks")
    op.drop_table("kiosks")
    with op.batch_alter_table("waiver_signatures") as batch:
        batch.drop_column("seat")
    with op.batch_alter_table("bookings") as batch:
        batch.drop_column("seats")
