"""SQL tables (SQLAlchemy Core). Migrations under migrations/ create exactly these."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from ..domain.models import Seat
from ..domain.seats import seats_from_json, seats_to_json

# The newest migration under migrations/versions: a database at it has these tables.
# tests/storage/test_migrations.py holds it to Alembic's own head.
SCHEMA_HEAD = "0010"


def utc_from_text(text: str) -> datetime:
    """SQLite's DATETIME text (UTC, no offset) as an aware UTC datetime: parsed with the
    offset appended, six times faster than replacing the parsed value's tzinfo (0.24 µs
    against 1.44; a 500-patron roster parses 500 at least). Text that carries an offset of
    its own (none is written so) has it replaced by UTC, as before."""
    try:
        return datetime.fromisoformat(text + "+00:00")
    except ValueError:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _sqlite_text(value: datetime | None) -> str | None:
    """An aware datetime as SQLite's DATETIME text, in UTC: the same text as
    strftime("%Y-%m-%d %H:%M:%S.%f"), in a third of the time (the UTC time's ISO text
    without its "+00:00": dropping the tzinfo first, a ``replace``, cost as much again)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return value.astimezone(UTC).isoformat(" ", "microseconds")[:-6]


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike.

    On SQLite the value is the same text SQLAlchemy's DATETIME writes
    (``2026-07-01 12:00:00.000000``, UTC), parsed back with ``fromisoformat``, which is
    several times faster than the generic parser on a 500-row roster.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Any:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        return _sqlite_text  # one call a value (a booking binds five)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        def process(value: str | None) -> datetime | None:
            return None if value is None else utc_from_text(value)

        return process

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":
            return _sqlite_text(value)
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            return utc_from_text(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class SeatsJSON(sa.types.TypeDecorator[tuple[Seat, ...]]):
    """A booking's seats as JSON text (``domain.seats`` codec), the same on both engines."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: tuple[Seat, ...] | None, dialect: Dialect) -> str:
        return seats_to_text(value or ())

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[Seat, ...]:
        return seats_from_text(value)


def seats_to_text(seats: tuple[Seat, ...]) -> str:
    return json.dumps(seats_to_json(seats), separators=(",", ":"), sort_keys=True)


def seats_from_text(value: str | None) -> tuple[Seat, ...]:
    # Most bookings have no seats of their own: a roster reads hundreds of "[]".
    return seats_from_json(json.loads(value)) if value and value != "[]" else ()


metadata = sa.MetaData()

crew = sa.Table(
    "crew",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("must_change_password", sa.Boolean, nullable=False, default=False),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("crew_id", sa.String(32), sa.ForeignKey("crew.id"), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("address", sa.String(64), nullable=False, default=""),
    sa.Column("last_used_at", UTCDateTime),
    sa.Index("ix_sessions_crew_id", "crew_id"),
)

# Sign-in guesses reserved per counter (domain/accounts.AttemptSlot).
login_attempts = sa.Table(
    "login_attempts",
    metadata,
    sa.Column("scope", sa.String(400), primary_key=True),
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("window", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("places", sa.Integer, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Index("ix_login_attempts_expires_at", "expires_at"),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("starts_at", UTCDateTime, nullable=False),
    sa.Column("ends_at", UTCDateTime),
    sa.Column("location", sa.String(300), nullable=False, default=""),
    sa.Column("capacity", sa.Integer),
    sa.Column("price_cents", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("waiver_template_id", sa.String(32)),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("legacy_id", sa.String(200)),
    sa.Column("timezone", sa.String(64)),
    sa.Index("ix_events_starts_at", "starts_at"),
)

patrons = sa.Table(
    "patrons",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("phone", sa.String(40), nullable=False, default=""),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

bookings = sa.Table(
    "bookings",
    metadata,
    sa.Column("event_id", sa.String(32), sa.ForeignKey("events.id"), primary_key=True),
    sa.Column("patron_id", sa.String(32), sa.ForeignKey("patrons.id"), primary_key=True),
    sa.Column("patron_name", sa.String(200), nullable=False),
    sa.Column("patron_email", sa.String(320), nullable=False),
    sa.Column("patron_phone", sa.String(40), nullable=False),
    sa.Column("party_size", sa.Integer, nullable=False),
    sa.Column("amount_due_cents", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("guest_token", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("amount_paid_cents", sa.BigInteger, nullable=False),
    sa.Column("payment_cleared", sa.Boolean, nullable=False),
    sa.Column("cleared_at", UTCDateTime),
    sa.Column("checked_in_at", UTCDateTime),
    sa.Column("checked_in_by", sa.String(64)),
    sa.Column("waiver_kind", sa.String(16)),
    sa.Column("waiver_at", UTCDateTime),
    sa.Column("waiver_by", sa.String(64)),
    sa.Column("waiver_signature_id", sa.String(32)),
    sa.Column("cancelled_at", UTCDateTime),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("legacy_id", sa.String(200)),
    sa.Column("reminders_stopped_at", UTCDateTime),
    sa.Column("seats", SeatsJSON, nullable=False, server_default="[]"),
    sa.Column("aboard", sa.Integer, nullable=False, server_default="0"),
    sa.Column("returned", sa.Integer, nullable=False, server_default="0"),
)

# The reminder windows a sweep has handled: (event, minutes before its start).
reminder_marks = sa.Table(
    "reminder_marks",
    metadata,
    sa.Column("event_id", sa.String(32), primary_key=True),
    sa.Column("offset_minutes", sa.Integer, primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False),
)

payments = sa.Table(
    "payments",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("event_id", sa.String(32), nullable=False),
    sa.Column("patron_id", sa.String(32), nullable=False),
    sa.Column("amount_cents", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("reference", sa.String(500), nullable=False),
    sa.Column("note", sa.String(500), nullable=False),
    sa.Column("logged_by", sa.String(64), nullable=False),
    sa.Column("logged_by_name", sa.String(200), nullable=False),
    sa.Column("logged_at", UTCDateTime, nullable=False),
    sa.Column("idempotency_key", sa.String(200), unique=True),
    sa.Column("receipt_no", sa.Integer, unique=True),
    sa.Column("voided_at", UTCDateTime),
    sa.Column("voided_by", sa.String(64)),
    sa.Column("void_reason", sa.String(500)),
    sa.Column("refund_of", sa.String(32)),
    sa.ForeignKeyConstraint(["event_id", "patron_id"], ["bookings.event_id", "bookings.patron_id"]),
    sa.Index("ix_payments_booking", "event_id", "patron_id"),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(32), nullable=False, unique=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("actor_name", sa.String(200), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("event_id", sa.String(32)),
    sa.Column("patron_id", sa.String(32)),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Index("ix_audit_event", "event_id", "seq"),
    sa.Index("ix_audit_patron", "patron_id", "seq"),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("dedup_key", sa.String(200), nullable=False, unique=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("to_addr", sa.String(320), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("next_attempt_at", UTCDateTime, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_error", sa.String(1000)),
    sa.Column("sent_at", UTCDateTime),
    sa.Column("event_id", sa.String(32)),
    sa.Column("patron_id", sa.String(32)),
    sa.Index("ix_outbox_due", "status", "next_attempt_at"),
    sa.Index("ix_outbox_event", "event_id", "patron_id"),
)

counters = sa.Table(
    "counters",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

waiver_templates = sa.Table(
    "waiver_templates",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
)

waiver_signatures = sa.Table(
    "waiver_signatures",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("event_id", sa.String(32), nullable=False),
    sa.Column("patron_id", sa.String(32), nullable=False),
    sa.Column("template_id", sa.String(32), nullable=False),
    sa.Column("template_version", sa.Integer, nullable=False),
    sa.Column("template_sha256", sa.String(64), nullable=False),
    sa.Column("signer_name", sa.String(200), nullable=False),
    sa.Column("signature_png", sa.LargeBinary, nullable=False),
    sa.Column("signed_at", UTCDateTime, nullable=False),
    sa.Column("ip", sa.String(64), nullable=False),
    sa.Column("user_agent", sa.String(500), nullable=False),
    sa.Column("guardian_name", sa.String(200)),
    sa.Column("guardian_relationship", sa.String(100)),
    sa.Column("seat", sa.Integer),
    sa.ForeignKeyConstraint(["event_id", "patron_id"], ["bookings.event_id", "bookings.patron_id"]),
    sa.ForeignKeyConstraint(
        ["template_id", "template_version"],
        ["waiver_templates.id", "waiver_templates.version"],
    ),
    sa.Index("ix_waiver_signatures_booking", "event_id", "patron_id"),
)

kiosks = sa.Table(
    "kiosks",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("event_id", sa.String(32), sa.ForeignKey("events.id"), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("started_by", sa.String(64), nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("revoked_at", UTCDateTime),
    sa.Column("revoked_by", sa.String(64)),
    sa.Index("ix_kiosks_event", "event_id", "started_at"),
)

provider_transactions = sa.Table(
    "provider_transactions",
    metadata,
    sa.Column("id", sa.String(300), primary_key=True),
    sa.Column("provider", sa.String(16), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("reference", sa.String(255), nullable=False),
    sa.Column("parent_reference", sa.String(255), nullable=False),
    sa.Column("amount_cents", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Column("provider_event", sa.String(255), nullable=False),
    sa.Column("event_id", sa.String(32)),
    sa.Column("patron_id", sa.String(32)),
    sa.Index("ix_provider_transactions_parent", "parent_reference"),
)

cash_counts = sa.Table(
    "cash_counts",
    metadata,
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
    sa.Column("entered_at", UTCDateTime, nullable=False),
    sa.Column("after_close", sa.Boolean, nullable=False),
    sa.Index("ix_cash_counts_event", "event_id"),
)

cash_closes = sa.Table(
    "cash_closes",
    metadata,
    sa.Column("event_id", sa.String(32), sa.ForeignKey("events.id"), primary_key=True),
    sa.Column("closed_by", sa.String(64), nullable=False),
    sa.Column("closed_by_name", sa.String(200), nullable=False),
    sa.Column("closed_at", UTCDateTime, nullable=False),
)

# Credits (domain/credits.py): a patron's ledger, numbered per patron; the primary key is
# what refuses two writers taking the same number.
credit_entries = sa.Table(
    "credit_entries",
    metadata,
    sa.Column("patron_id", sa.String(32), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("id", sa.String(32), nullable=False, unique=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("amount_cents", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("by", sa.String(100), nullable=False),
    sa.Column("note", sa.String(500), nullable=False),
    sa.Column("expires_at", UTCDateTime),
    sa.Column("event_id", sa.String(32)),
    sa.Column("payment_id", sa.String(32)),
    sa.Column("lot", sa.Integer),
    sa.Column("plan_id", sa.String(32)),
)

# Settlement plans (domain/settlements.py): the plan as JSON, its version the condition of
# every step's write.
settlement_plans = sa.Table(
    "settlement_plans",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("event_id", sa.String(32), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("doc", sa.Text, nullable=False),
    sa.Index("ix_settlement_plans_event", "event_id"),
)
