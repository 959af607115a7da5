"""How many requests logging a payment and a check-in make of each store: what the use
case reads and writes, counted on the real database (SQLite, PostgreSQL, DynamoDB on moto's
server)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event as sa_event

from shipcaptaincrew.domain.errors import Conflict
from shipcaptaincrew.domain.models import PaymentMethod, Role
from shipcaptaincrew.services import attendance, payments
from shipcaptaincrew.services.context import Context
from shipcaptaincrew.services.payments import Logged, PaymentRequest
from shipcaptaincrew.services.views import BookingView
from shipcaptaincrew.storage.sql import SqlStore
from tests import factories as f

# A payment's write: the booking re-settled, the next receipt number, the payment, its
# audit entry and its receipt email, in one transaction.
WRITE = [
    "UPDATE bookings",
    "UPDATE counters",
    "INSERT INTO payments",
    "INSERT INTO audit",
    "INSERT INTO outbox",
]


def _payment(ctx: Context) -> Callable[..., Logged]:
    """A booking to pay: a function logging a payment on it, with an optional key."""
    admin = f.crew_fast(ctx, Role.ADMIN, "admin@example.org")
    event = f.event(ctx, admin)
    booking = f.booking(ctx, admin, event.id, party_size=2)

    def pay(amount: int, key: str | None = None) -> Logged:
        req = PaymentRequest(booking.patron_id, amount, PaymentMethod.CASH)
        return payments.log_payment(ctx, by=admin, event_id=event.id, req=req, idempotency_key=key)

    return pay


@contextmanager
def _sql_log(store: SqlStore) -> Iterator[list[str]]:
    """The statements the store runs (their first words and table), and "BEGIN" for each
    transaction, while the block runs."""
    seen: list[str] = []

    def on_begin(_conn: Any) -> None:
        seen.append("BEGIN")

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        words = statement.split()
        seen.append(" ".join(words[:3] if words[0] == "INSERT" else words[:2]))

    sa_event.listen(store.engine, "begin", on_begin)
    sa_event.listen(store.engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        sa_event.remove(store.engine, "before_cursor_execute", on_execute)
        sa_event.remove(store.engine, "begin", on_begin)


@contextmanager
def _dynamo_log(ctx: Context) -> Iterator[list[str]]:
    """The DynamoDB operations the store calls while the block runs."""
    seen: list[str] = []
    client = ctx.store._client  # type: ignore[attr-defined]

    def on_call(model: Any, **_kwargs: Any) -> None:
        seen.append(model.name)

    client.meta.events.register("before-call.dynamodb", on_call)
    try:
        yield seen
    finally:
        client.meta.events.unregister("before-call.dynamodb", on_call)


@pytest.mark.parametrize("key", [None, "k-1"])
def test_a_payment_on_sqlite_is_one_statement_read_and_one_write(ctx: Context, key) -> None:
    pay = _payment(ctx)
    assert isinstance(ctx.store, SqlStore)
    with _sql_log(ctx.store) as seen:
        logged = pay(1000, key)
    assert (logged.created, logged.payment.receipt_no) == (True, 1)
    assert seen == ["BEGIN", "SELECT (SELECT", "BEGIN", *WRITE]


def test_a_payment_on_postgresql_is_one_statement_read_and_one_write(
    pg_store: SqlStore, settings, clock
) -> None:
    pay = _payment(Context(store=pg_store, settings=settings, clock=clock))
    # the event LEFT JOIN the booking LEFT JOIN its payments: one statement, with no
    # payment yet and with one
    for amount, key in ((1000, "k-1"), (2000, "k-2")):
        with _sql_log(pg_store) as seen:
            logged = pay(amount, key)
        assert seen == ["BEGIN", "SELECT events.id", "BEGIN", *WRITE]
    assert (logged.payment.receipt_no, logged.booking.amount_paid_cents) == (2, 3000)


def test_a_replayed_key_on_sqlite_rolls_its_write_back_and_reads_the_first(ctx) -> None:
    pay = _payment(ctx)
    first = pay(1000, "k-1")
    with _sql_log(ctx.store) as seen:
        again = pay(1000, "k-1")
    assert (again.created, again.payment) == (False, first.payment)
    # the write stops at the taken key; then the key's payment and the booking as shown
    assert seen[:6] == ["BEGIN", "SELECT (SELECT", "BEGIN", *WRITE[:3]]
    assert "INSERT INTO audit" not in seen
    assert ctx.store.list_payments(first.payment.event_id) == [first.payment]


@pytest.mark.parametrize("key", [None, "k-1"])
def test_a_payment_on_dynamodb_is_one_transaction_and_two_reads(dynamo_ctx, key) -> None:
    pay = _payment(dynamo_ctx)
    with _dynamo_log(dynamo_ctx) as seen:
        first = pay(1000, key)
    assert seen == ["BatchGetItem", "Query", "TransactWriteItems"]
    with _dynamo_log(dynamo_ctx) as seen:
        second = pay(2000, None if key is None else "k-2")
    assert seen == ["BatchGetItem", "Query", "TransactWriteItems"]
    assert (first.payment.receipt_no, second.payment.receipt_no) == (1, 2)
    assert second.booking.amount_paid_cents == 3000


def test_a_replayed_key_on_dynamodb_writes_nothing_and_replays(dynamo_ctx) -> None:
    pay = _payment(dynamo_ctx)
    first = pay(1000, "k-1")
    again = pay(1000, "k-1")
    assert (again.created, again.payment, again.booking) == (False, first.payment, first.booking)
    with pytest.raises(Conflict) as err:
        pay(2000, "k-1")
    assert err.value.details["differs"] == ["amount_cents"]
    event_id = first.payment.event_id
    assert dynamo_ctx.store.list_payments(event_id) == [first.payment]
    assert pay(3000, "k-3").payment.receipt_no == 2


# A check-in's read: the event LEFT JOIN the patron's booking, with its receipt email's
# status; its write: the booking and its audit entry, in one transaction.
CHECK_IN_READ = ["SELECT events.id"]
CHECK_IN_WRITE = ["BEGIN", "UPDATE bookings", "INSERT INTO audit"]


def _check_in(ctx: Context) -> Callable[[], BookingView]:
    """A booking paid in cash (its receipt email queued): a function checking it in."""
    admin = f.crew_fast(ctx, Role.ADMIN, "admin@example.org")
    event = f.event(ctx, admin)
    booking = f.booking(ctx, admin, event.id)
    req = PaymentRequest(booking.patron_id, 1000, PaymentMethod.CASH)
    payments.log_payment(ctx, by=admin, event_id=event.id, req=req)

    def check_in() -> BookingView:
        return attendance.set_checked_in(
            ctx, by=admin, event_id=event.id, patron_id=booking.patron_id, checked_in=True
        )

    return check_in


def test_a_check_in_on_sqlite_reads_the_event_the_booking_and_its_email_in_one_statement(
    ctx,
) -> None:
    check_in = _check_in(ctx)
    with _sql_log(ctx.store) as seen:
        view = check_in()
    assert (view.booking.checked_in, view.receipt_email) == (True, "queued")
    assert seen == ["BEGIN", *CHECK_IN_READ, *CHECK_IN_WRITE]


def test_a_check_in_on_postgresql_reads_the_event_the_booking_and_its_email_in_one_statement(
    pg_store: SqlStore, settings, clock
) -> None:
    check_in = _check_in(Context(store=pg_store, settings=settings, clock=clock))
    with _sql_log(pg_store) as seen:
        view = check_in()
    assert (view.booking.checked_in, view.receipt_email) == (True, "queued")
    assert seen == ["BEGIN", *CHECK_IN_READ, *CHECK_IN_WRITE]


def test_a_check_in_on_dynamodb_is_two_reads_and_one_transaction(dynamo_ctx) -> None:
    check_in = _check_in(dynamo_ctx)
    with _dynamo_log(dynamo_ctx) as seen:
        view = check_in()
    assert (view.booking.checked_in, view.receipt_email) == (True, "queued")
    assert seen == ["BatchGetItem", "Query", "TransactWriteItems"]
