"""The reads of several payment records at once on ``SqlStore``.

Logging a payment reads the event, the booking and its payments in one statement: on SQLite
each part a ``Listing`` packed into one JSON value (see ``sql_base.py``), the three selected
side by side; on PostgreSQL the event LEFT JOIN the booking LEFT JOIN its payments, one row
per payment.

A receipt reads the payment with its booking and its event: one statement on both engines,
the payment LEFT JOIN its booking and its event; a check-in the event LEFT JOIN the
patron's booking, the same way. Each record is loaded from its span of the row by
``_loader`` with its ``Listing``'s class and enums: about 7 µs for the three, where
splitting the row by label and building each record through ``_from_row`` took 36.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, cast

import sqlalchemy as sa

from ..domain import outbox as ob
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


def _labelled(parts: Any) -> list[Any]:
    """The columns of each part's table, in order, each labelled with its part's prefix."""
    return [c.label(prefix + c.name) for _, table, prefix in parts for c in table.c]


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
    sa.select(*_labelled(RECEIPT_PARTS))
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
    sa.select(*_labelled(EVENT_BOOKING_PARTS))
    .select_from(
        t.events.outerjoin(
            t.bookings, sa.and_(_b.event_id == _e.id, _b.patron_id == sa.bindparam("patron_id"))
        )
    )
    .where(_e.id == sa.bindparam("event_id"))
)
# ... and last, the status of the patron's latest outbox message of some kinds on the event
# (ranked as ``sql_outbox._latest`` ranks them): what the check-in answers with, in the same
# statement instead of a read of its own after the write.
_o = t.outbox.c
LATEST_EMAIL = (
    sa.select(_o.status)
    .where(
        _o.event_id == sa.bindparam("event_id"),
        _o.patron_id == sa.bindparam("patron_id"),
        _o.kind.in_(sa.bindparam("kinds", expanding=True)),
    )
    .order_by(*(_o[name].desc() for name in ob.RECENCY))
    .limit(1)
    .scalar_subquery()
)
EVENT_BOOKING_EMAIL = EVENT_BOOKING.add_columns(LATEST_EMAIL.label("latest_email"))

# What logging a payment reads, as one statement on PostgreSQL: the check-in's row LEFT JOIN
# the booking's payments (``p_``: no event or booking column starts so), one row per
# payment, oldest first (one row with NULL payment columns when there is none).
PAYMENTS_PART = (STATE_PAYMENTS, t.payments, "p_")
STATE_JOIN_PARTS = (*EVENT_BOOKING_PARTS, PAYMENTS_PART)
STATE_JOIN = (
    EVENT_BOOKING.add_columns(*_labelled([PAYMENTS_PART]))
    .outerjoin(t.payments, sa.and_(_p.event_id == _b.event_id, _p.patron_id == _b.patron_id))
    .order_by(_p.logged_at, _p.receipt_no)
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
STATE_JOIN_SPANS = _spans(STATE_JOIN_PARTS)


class SqlPaymentState(SqlBase):
    def get_event_booking(
        self, event_id: str, patron_id: str, kinds: Sequence[str]
    ) -> tuple[Event, Booking | None, str | None] | None:
        params = {"event_id": event_id, "patron_id": patron_id, "kinds": list(kinds)}
        row = self._one(EVENT_BOOKING_EMAIL, params)
        if row is None:
            return None
        values = list(row.values())
        event, booking = (_part(span, values) for span in EVENT_BOOKING_SPANS)
        return event, booking, values[-1] if booking is not None else None

    def get_payment_state(self, event_id: str, patron_id: str) -> PaymentState | None:
        params = {"event_id": event_id, "patron_id": patron_id}
        if self._pg:
            return self._joined_state(params)
        [row] = self._all(STATE, params)
        packed = row.values()
        found = [_unpack(part, text) for part, text in zip(PARTS, packed, strict=True)]
        events, bookings, payments = found
        if not events:
            return None
        return PaymentState(events[0], bookings[0] if bookings else None, payments)

    def _joined_state(self, params: dict[str, str]) -> PaymentState | None:
        """On PostgreSQL, in one statement (``STATE_JOIN``): one round trip, not three."""
        rows = [list(row.values()) for row in self._all(STATE_JOIN, params)]
        if not rows:
            return None
        event, booking, payment = STATE_JOIN_SPANS
        return PaymentState(
            _part(event, rows[0]),
            _part(booking, rows[0]),
            [p for row in rows if (p := _part(payment, row)) is not None],
        )

    def get_receipt_records(
        self, payment_id: str
    ) -> tuple[Payment, Booking | None, Event | None] | None:
        row = self._one(RECEIPT, {"payment_id": payment_id})
        if row is None:
            return None
        values = list(row.values())
        payment, booking, event = (_part(span, values) for span in RECEIPT_SPANS)
        return payment, booking, event


def _part(span: tuple[slice, int, Any], row: list[Any]) -> Any:
    """The record in ``span`` of a joined row; None where its primary key is NULL."""
    at, key, load = span
    return load(row[at]) if row[key] is not None else None


def _unpack(part: Listing, text: str | None) -> list[Any]:
    rows = json.loads(text) if text else []
    part.sort(rows)
    return [part.load_packed(row) for row in rows]
