"""Refunds as ledger entries (payments.refund_of) and the provider transactions that are not
on a booking yet (unmatched payments, refunds that arrived before their payment).

Revision ID: 0008
Revises: 0004
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.add_column(sa.Column("refund_of", sa.String(length=32), nullable=True))
    op.create_table(
        "provider_transactions",
        sa.Column("id", sa.String(300), primary_key=True),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reference", sa.String(255), nullable=False),
        sa.Column("parent_reference", sa.String(255), nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("provider_event", sa.String(255), nullable=False),
        sa.Column("event_id", sa.String(32)),
        sa.Column("patron_id", sa.String(32)),
    )
    op.create_index(
        "ix_provider_transactions_parent", "provider_transactions", ["parent_reference"]
    )


def downgrade() -> None:
    op.drop_index("ix_provider_transactions_parent", table_name="provider_transactions")
    op.drop_table("provider_transactions")
    with op.batch_alter_table("payments") as batch:
        batch.drop_column("refund_of")
