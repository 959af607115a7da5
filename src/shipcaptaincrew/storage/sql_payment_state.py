"""The reads of several payment records at once on ``SqlStore``.

Logging a payment reads the event, the booking and its payments: on SQLite one statement,
each part a ``Listing`` packed into one JSON value (see ``sql_base.py``), the three selected
side by side; on PostgreSQL the three plain selects, each on its own (as every read there,
see ``SqlBase._read``).

A receipt reads the payment with its booking and its event: one statement on both engines,
the payment LEFT JOIN its booking and its event; a check-in the event LEFT JOIN the
patron's booking, the same way. Each record is loaded from its span of the row by
``_loader`` with its ``Listing``'s class and enums: about 7 µs for the three, where
splitting the row by label and building each record through ``_from_row`` took 36.
"""

from __future__ import annotations

import json
import operator
from typing import Any, cast

import sqlalchemy as sa

from ..domain.models import (
    Booking,
    BookingStatus,
    Event,
    EventStatus,
    Payment,
    PaymentMethod,
    WaiverKind,
)
from . import schema as t
from .base import PaymentState
from .sql_base import Listing, SqlBase, _loader

_e, _b, _p = t.events.c, t.bookings.c, t.payments.c
STATE_EVENT = Listing(
    sa.select(t.events).where(_e.id == sa.bindparam("event_id")),
    Event,
    order_by=[_e.id],
    status=EventStatus,
)
STATE_BOOKING = Listing(
    sa.select(t.bookings).where(
        _b.event_id == sa.bindparam("event_id"), _b.patron_id == sa.bindparam("patron_id")
    ),
    Booking,
    order_by=[_b.patron_id],
    status=BookingStatus,
    waiver_kind=WaiverKind,
)
STATE_PAYMENTS = Listing(
    sa.select(t.payments).where(
        _p.event_id == sa.bindparam("event_id"), _p.patron_id == sa.bindparam("patron_id")
    ),
    Payment,
    order_by=[_p.logged_at, _p.receipt_no],
    method=PaymentMethod,
)
PARTS = (STATE_EVENT, STATE_BOOKING, STATE_PAYMENTS)
STATE = sa.select(*(part.packed.scalar_subquery() for part in PARTS))
# A receipt's row: the payment's columns, then its booking's and its event's, labelled ``b_``
# and ``e_`` to keep each name once in the row (no payment column starts so); NULL where the
# LEFT JOIN found nothing. Each part is its span of the row, a record whose primary key is
# NULL being missing.
RECEIPT_PARTS = (
    (STATE_PAYMENTS, t.payments, ""),
    (STATE_BOOKING, t.bookings, "b_"),
    (STATE_EVENT, t.events, "e_"),
)
RECEIPT = (
    sa.select(*(c.label(prefix + c.name) for _, table, prefix in RECEIPT_PARTS for c in table.c))
    .select_from(
        t.payments.outerjoin(
            t.bookings, sa.and_(_b.event_id == _p.event_id, _b.patron_id == _p.patron_id)
        ).outerjoin(t.events, _e.id == _p.event_id)
    )
    .where(_p.id == sa.bindparam("payment_id"))
)

# A check-in's row: the event's columns, then the patron's booking's, labelled ``b_`` (no
# event column starts so); NULL where the patron is not on the event.
EVENT_BOOKING_PARTS = ((STATE_EVENT, t.events, ""), (STATE_BOOKING, t.bookings, "b_"))
EVENT_BOOKING = (
    sa.select(
        *(c.label(prefix + c.name) for _, table, prefix in EVENT_BOOKING_PARTS for c in table.c)
    )
    .select_from(
        t.events.outerjoin(
            t.bookings, sa.and_(_b.event_id == _e.id, _b.patron_id == sa.bindparam("patron_id"))
        )
    )
    .where(_e.id == sa.bindparam("event_id"))
)


def _spans(parts: Any) -> list[tuple[slice, int, Any]]:
    """Each part of a joined row (a receipt's, a check-in's): its span, where its primary
    key's first column is, and the loader of its record from the span."""
    spans: list[tuple[slice, int, Any]] = []
    start = 0
    for part, table, _ in parts:
        keys = tuple(c.name for c in table.c)
        key = start + keys.index(table.primary_key.columns[0].name)
        load = _loader(cast(Any, part.cls), keys, part.enums)
        spans.append((slice(start, start + len(keys)), key, load))
        start += len(keys)
    return spans


RECEIPT_SPANS = _spans(RECEIPT_PARTS)
EVENT_BOOKING_SPANS = _spans(EVENT_BOOKING_PARTS)


class SqlPaymentState(SqlBase):
    def get_event_booking(
        self, event_id: str, patron_id: str
    ) -> tuple[Event, Booking | None] | None:
        row = self._one(EVENT_BOOKING, {"event_id": event_id, "patron_id": patron_id})
        if row is None:
            return None
        values = list(row.values())
        event, booking = (
            load(values[span]) if values[key] is not None else None
            for span, key, load in EVENT_BOOKING_SPANS
        )
        return cast(Event, event), booking

    def get_payment_state(self, event_id: str, patron_id: str) -> PaymentState | None:
        params = {"event_id": event_id, "patron_id": patron_id}
        if self._pg:
            with self._read() as conn:
                found = []
                for part in PARTS:
                    result = conn.execute(part.ordered, params)
                    load = _loader(cast(Any, part.cls), tuple(result.keys()), part.enums)
                    found.append([load(row) for row in result])
        else:
            [row] = self._all(STATE, params)
            packed = row.values()
            found = [_unpack(part, text) for part, text in zip(PARTS, packed, strict=True)]
        events, bookings, payments = found
        if not events:
            return None
        return PaymentState(events[0], bookings[0] if bookings else None, payments)

    def get_receipt_records(
        self, payment_id: str
    ) -> tuple[Payment, Booking | None, Event | None] | None:
        row = self._one(RECEIPT, {"payment_id": payment_id})
        if row is None:
            return None
        values = list(row.values())
        payment, booking, event = (
            load(values[span]) if values[key] is not None else None
            for span, key, load in RECEIPT_SPANS
        )
        return cast(Payment, payment), booking, event


def _unpack(part: Listing, text: str | None) -> list[Any]:
    rows = json.loads(text) if text else []
    rows.sort(key=operator.itemgetter(-1))
    return [part.load_packed(row) for row in rows]
