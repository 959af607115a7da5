"""The read of logging a payment on ``SqlStore``: event, booking and its payments at once.

On SQLite it is one statement: each part is a ``Listing`` packed into one JSON value (see
``sql_base.py``), the three selected side by side. On PostgreSQL the three plain selects run
in one read transaction.
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


class SqlPaymentState(SqlBase):
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


def _unpack(part: Listing, text: str | None) -> list[Any]:
    rows = json.loads(text) if text else []
    rows.sort(key=operator.itemgetter(-1))
    return [part.load_packed(row) for row in rows]
