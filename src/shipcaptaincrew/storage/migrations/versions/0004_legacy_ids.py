"""Keep the id an event or booking had in the system it was imported from (scc import-legacy).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("legacy_id", sa.String(length=200), nullable=True))
    with op.batch_alter_table("bookings") as batch:
        batch.add_column(sa.Column("legacy_id", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bookings") as batch:
        batch.drop_column("legacy_id")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("legacy_id")
