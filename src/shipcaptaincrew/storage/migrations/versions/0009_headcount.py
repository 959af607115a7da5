"""Headcount: how many of each party went aboard and how many came back.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bookings") as batch:
        batch.add_column(sa.Column("aboard", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("returned", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("bookings") as batch:
        batch.drop_column("returned")
        batch.drop_column("aboard")
