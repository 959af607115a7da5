"""The reads of several payment records at once on ``DynamoStore``.

A check-in reads the event and the booking in one consistent ``BatchGetItem``. Logging a
payment reads in two requests. One consistent ``BatchGetItem`` fetches the event,
the booking and the receipt counter; one consistent Query fetches the booking's payments
(``PAYMENT#{patron}#`` under the event's partition). The counter's value is kept as
``_receipt_hint``: ``add_payments`` takes it as its first guess instead of reading the
counter again. A guess is never ahead of the counter (it only grows) and the payment
transaction holds only while the counter is what was guessed, so a stale guess costs one
cancelled transaction and a fresh read, never a number.

A receipt reads in three: the payment (``get_payment``: its GSI1 entry, then the item,
consistently), then its booking and its event in one consistent ``BatchGetItem``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..domain import refusals
from ..domain.models import Booking, Event, Payment
from .base import PaymentState
from .dynamo_base import DynamoBase, _backoff
from .dynamo_items import COUNTER_KEY, booking_key, decode, event_key

MAX_BATCH_ATTEMPTS = 10


class DynamoPaymentState(DynamoBase):
    _receipt_hint: int | None = None  # the receipt counter as last read or written

    def get_event_booking(
        self, event_id: str, patron_id: str, kinds: Sequence[str]
    ) -> tuple[Event, Booking | None, str | None] | None:
        keys = {"event": event_key(event_id), "booking": booking_key(event_id, patron_id)}
        items = self._batch_get(keys)
        if "event" not in items:
            return None
        if "booking" not in items:
            return self._event(items["event"]), None, None
        email = self.latest_outbox_status(event_id, kinds, patron_id).get(patron_id)
        return self._event(items["event"]), self._booking(items["booking"]), email

    def get_payment_state(self, event_id: str, patron_id: str) -> PaymentState | None:
        keys = {"event": event_key(event_id), "booking": booking_key(event_id, patron_id)}
        items = self._batch_get({**keys, "counter": COUNTER_KEY})
        counter = items.get("counter")
        self._receipt_hint = int(counter["n"]["N"]) if counter else 0
        if "event" not in items:
            return None
        event = self._event(items["event"])
        if "booking" not in items:
            return PaymentState(event, None, [])
        found = self._partition(f"EVENT#{event_id}", f"PAYMENT#{patron_id}#")
        payments = sorted(
            (decode(Payment, i) for i in found), key=lambda p: (p.logged_at, p.receipt_no or 0)
        )
        return PaymentState(event, self._booking(items["booking"]), payments)

    def get_receipt_records(
        self, payment_id: str
    ) -> tuple[Payment, Booking | None, Event | None] | None:
        payment = self.get_payment(payment_id)
        if payment is None:
            return None
        keys = {
            "booking": booking_key(payment.event_id, payment.patron_id),
            "event": event_key(payment.event_id),
        }
        items = self._batch_get(keys)
        booking, event = items.get("booking"), items.get("event")
        return (
            payment,
            self._booking(booking) if booking else None,
            self._event(event) if event else None,
        )

    def _batch_get(self, keys: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """The items at ``keys`` (by name; missing ones left out), read consistently in one
        request unless DynamoDB hands some back unprocessed."""
        names = {(k["PK"]["S"], k["SK"]["S"]): name for name, k in keys.items()}
        request: dict[str, Any] = {
            self.table: {"Keys": list(keys.values()), "ConsistentRead": True}
        }
        found: dict[str, dict[str, Any]] = {}
        for attempt in range(MAX_BATCH_ATTEMPTS):
            res = self._client.batch_get_item(RequestItems=request)
            for item in res.get("Responses", {}).get(self.table, []):
                found[names[(item["PK"]["S"], item["SK"]["S"])]] = item
            request = res.get("UnprocessedKeys") or {}
            if not request:
                return found
            _backoff(attempt)
        raise refusals.busy()
