"""waiver templates (versioned) and e-waiver signatures

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "waiver_templates",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", "version"),
    )
    op.create_table(
        "waiver_signatures",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("patron_id", sa.String(length=32), nullable=False),
        sa.Column("template_id", sa.String(length=32), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("template_sha256", sa.String(length=64), nullable=False),
        sa.Column("signer_name", sa.String(length=200), nullable=False),
        sa.Column("signature_png", sa.LargeBinary(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=500), nullable=False),
        sa.Column("guardian_name", sa.String(length=200), nullable=True),
        sa.Column("guardian_relationship", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id", "patron_id"], ["bookings.event_id", "bookings.patron_id"]
        ),
        sa.ForeignKeyConstraint(
            ["template_id", "template_version"],
            ["waiver_templates.id", "waiver_templates.version"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("waiver_signatures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_waiver_signatures_booking", ["event_id", "patron_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("waiver_signatures", schema=None) as batch_op:
        batch_op.drop_index("ix_waiver_signatures_booking")
    op.drop_table("waiver_signatures")
    op.drop_table("waiver_templates")
