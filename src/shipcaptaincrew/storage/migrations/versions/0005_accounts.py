"""Crew account lifecycle: forced password change, session last use and address, and
sign-in guesses counted per (account, address) and per address (replacing login_failures).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("crew") as batch:
        batch.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(
            sa.Column("address", sa.String(length=64), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_sessions_crew_id", ["crew_id"], unique=False)
    # server defaults only fill the existing rows; the schema has none
    with op.batch_alter_table("crew") as batch:
        batch.alter_column("must_change_password", server_default=None)
    with op.batch_alter_table("sessions") as batch:
        batch.alter_column("address", server_default=None)
    op.create_table(
        "login_attempts",
        sa.Column("scope", sa.String(length=400), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("window", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", "window"),
    )
    with op.batch_alter_table("login_attempts") as batch:
        batch.create_index("ix_login_attempts_expires_at", ["expires_at"], unique=False)
    with op.batch_alter_table("login_failures") as batch:
        batch.drop_index("ix_login_failures_key_at")
    op.drop_table("login_failures")


def downgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=320), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("login_failures") as batch:
        batch.create_index("ix_login_failures_key_at", ["key", "at"], unique=False)
    op.drop_table("login_attempts")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_index("ix_sessions_crew_id")
        batch.drop_column("last_used_at")
        batch.drop_column("address")
    with op.batch_alter_table("crew") as batch:
        batch.drop_column("must_change_password")
