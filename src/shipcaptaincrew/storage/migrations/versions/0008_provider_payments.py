"""Refunds as ledger entries (payments.refund_of), the provider transactions that are not
on a booking yet (unmatched payments, refunds that arrived before their payment), and the
crew's cash-up (counts and the close of an event's cash-up).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
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

    op.create_table(
        "cash_counts",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("event_id", sa.String(32), sa.ForeignKey("events.id"), nullable=False),
        sa.Column("crew_id", sa.String(64), nullable=False),
        sa.Column("crew_name", sa.String(200), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("counted_cents", sa.BigInteger, nullable=False),
        sa.Column("expected_cents", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("entered_by", sa.String(64), nullable=False),
        sa.Column("entered_by_name", sa.String(200), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("after_close", sa.Boolean, nullable=False),
    )
    op.create_index("ix_cash_counts_event", "cash_counts", ["event_id"])
    op.create_table(
        "cash_closes",
        sa.Column("event_id", sa.String(32), sa.ForeignKey("events.id"), primary_key=True),
        sa.Column("closed_by", sa.String(64), nullable=False),
        sa.Column("closed_by_name", sa.String(200), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("cash_closes")
    op.drop_index("ix_cash_counts_event", table_name="cash_counts")
    op.drop_table("cash_counts")
    op.drop_index("ix_provider_transactions_parent", table_name="provider_transactions")
    op.drop_table("provider_transactions")
    with op.batch_alter_table("payments") as batch:
        batch.drop_column("refund_of")
