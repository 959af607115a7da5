"""Credits and settlement plans: a patron's credit ledger and the stored plan of a
cancelled, shifted or rebooked departure.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credit_entries",
        sa.Column("patron_id", sa.String(32), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("id", sa.String(32), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(100), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.Column("event_id", sa.String(32)),
        sa.Column("payment_id", sa.String(32)),
        sa.Column("lot", sa.Integer),
        sa.Column("plan_id", sa.String(32)),
    )
    op.create_table(
        "settlement_plans",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("event_id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("doc", sa.Text, nullable=False),
    )
    op.create_index("ix_settlement_plans_event", "settlement_plans", ["event_id"])


def downgrade() -> None:
    op.drop_index("ix_settlement_plans_event", "settlement_plans")
    op.drop_table("settlement_plans")
    op.drop_table("credit_entries")
