"""A receipt's read of a payment whose event, then booking, are gone. No store write leaves
a payment without them, so the contract cannot ask for one: here each backend's rows are
removed behind its back (SQLite with its foreign keys off; PostgreSQL runs the same SQL)."""

from __future__ import annotations

from typing import Any

import pytest

from shipcaptaincrew.storage.base import PaymentWrite, Store
from shipcaptaincrew.storage.dynamo_items import booking_key, event_key
from shipcaptaincrew.storage.dynamodb import DynamoStore
from shipcaptaincrew.storage.sql import SqlStore
from tests import factories as f


@pytest.fixture(params=["sqlite_store", "dynamo_store"])
def store(request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue(request.param)


def remove_behind_its_back(store: Store, event_id: str, patron_id: str | None = None) -> None:
    """Delete the event (or, with ``patron_id``, the booking) and nothing else."""
    if isinstance(store, DynamoStore):
        key = booking_key(event_id, patron_id) if patron_id else event_key(event_id)
        store._client.delete_item(TableName=store.table, Key=key)  # noqa: SLF001
        return
    assert isinstance(store, SqlStore)
    fairy = store.engine.raw_connection()
    conn: Any = fairy.driver_connection
    conn.execute("PRAGMA foreign_keys=OFF")
    try:
        if patron_id:
            conn.execute(
                "DELETE FROM bookings WHERE event_id = ? AND patron_id = ?", (event_id, patron_id)
            )
        else:
            conn.execute("DELETE FROM events WHERE id = ?", (event_id,))
    finally:
        conn.execute("PRAGMA foreign_keys=ON")
        fairy.close()


def test_a_payment_without_its_event_or_booking_comes_with_none(store: Store) -> None:
    event = f.event_record()
    store.add_event(event, f.audit_entry("event.created", event.id))
    patron = f.patron_record()
    booking = f.stored_booking(store, event, patron)
    [payment] = store.add_payments(
        [PaymentWrite(f.payment_record(booking, 4500), booking, 1)], [f.audit_entry()]
    )
    booking = store.get_booking(event.id, patron.id)
    assert store.get_receipt_records(payment.id) == (payment, booking, event)
    remove_behind_its_back(store, event.id)
    assert store.get_receipt_records(payment.id) == (payment, booking, None)
    remove_behind_its_back(store, event.id, patron.id)
    assert store.get_receipt_records(payment.id) == (payment, None, None)
    assert store.get_payment(payment.id) == payment
