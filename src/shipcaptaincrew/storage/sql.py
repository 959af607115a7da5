"""The Store on SQLAlchemy Core: SQLite (WAL, the embedded default) or PostgreSQL.

Write methods run in one transaction each. On SQLite a write transaction
starts with ``BEGIN IMMEDIATE`` so that two processes sharing the file queue
on the busy timeout instead of failing on a lock upgrade; reads use plain
deferred transactions and never block writers (WAL). The store work of the
requests an event loop runs together (``SqlBase.grouped``) writes in one
transaction instead, each write a savepoint of it, committed once for them all.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ..domain import bookings as rules
from ..domain import outbox as ob
from ..domain import refusals
from ..domain.models import (
    AuditEntry,
    Booking,
    BookingStatus,
    CrewMember,
    Event,
    EventStatus,
    OutboxMessage,
    Patron,
    Payment,
    PaymentMethod,
    Session,
    WaiverKind,
    evolve,
)
from . import schema as t
from .base import PaymentWrite
from .sql_accounts import SqlAccounts
from .sql_base import (
    INSERT_AUDIT,
    INSERT_OUTBOX,
    Listing,
    _as_sqlalchemy,
    _booking,
    _booking_update,
    _crew,
    _event,
    _execute,
    _from_row,
    _next_receipt_no,
    _on_driver,
    _payment,
    _to_row,
    make_engine,
)
from .sql_cashup import SqlCashup
from .sql_kiosks import SqlKiosks
from .sql_mail import SqlMail
from .sql_one_write import INSERT_PAYMENT, one_write
from .sql_outbox import SqlOutbox
from .sql_payment_state import SqlPaymentState
from .sql_providers import SqlProviders
from .sql_settlements import SqlSettlements
from .sql_waivers import SqlWaivers

__all__ = ["SqlStore", "make_engine"]

# The statements of the hot paths (every signed-in request, the roster, check-in, payment),
# built once with bind parameters: see sql_base.py.
_b, _p = t.bookings.c, t.payments.c
_CREW_COLS = [col.label(f"crew_{col.name}") for col in t.crew.c]
SIGNED_IN = (
    sa.select(t.sessions, *_CREW_COLS)
    .join(t.crew, t.crew.c.id == t.sessions.c.crew_id)
    .where(t.sessions.c.token_hash == sa.bindparam("token_hash"))
)
EVENT = sa.select(t.events).where(t.events.c.id == sa.bindparam("event_id"))
EVENTS = Listing(
    sa.select(t.events), Event, order_by=[t.events.c.starts_at, t.events.c.id], status=EventStatus
)
LOCK_EVENT = sa.select(t.events.c.id).where(t.events.c.id == sa.bindparam("event_id"))
LOCK_EVENT_PG = LOCK_EVENT.with_for_update()
PLACES_BOOKED = sa.select(sa.func.coalesce(sa.func.sum(_b.party_size), 0)).where(
    _b.event_id == sa.bindparam("event_id"),
    _b.status.in_([s.value for s in rules.HOLDS_PLACES]),
)
BOOKING = sa.select(t.bookings).where(
    _b.event_id == sa.bindparam("event_id"), _b.patron_id == sa.bindparam("patron_id")
)
BOOKING_BY_TOKEN = sa.select(t.bookings).where(_b.guest_token == sa.bindparam("token"))
BOOKINGS = Listing(
    sa.select(t.bookings).where(_b.event_id == sa.bindparam("event_id")),
    Booking,
    order_by=[_b.patron_name, _b.patron_id],
    status=BookingStatus,
    waiver_kind=WaiverKind,
)
# An event's newest audit entries: its change marker (limit 1) and the live-sync window.
EVENT_AUDIT = Listing(
    sa.select(t.audit)
    .where(t.audit.c.event_id == sa.bindparam("event_id"))
    .limit(sa.bindparam("limit")),
    AuditEntry,
    order_by=[t.audit.c.seq.desc()],
)
PAYMENT = sa.select(t.payments).where(_p.id == sa.bindparam("payment_id"))
PAYMENT_BY_KEY = sa.select(t.payments).where(_p.idempotency_key == sa.bindparam("key"))


def _outbox_rows(outbox: Sequence[OutboxMessage]) -> list[tuple[Any, dict[str, Any]]]:
    return [(INSERT_OUTBOX, _to_row(m, rename={"to": "to_addr"})) for m in outbox]


class SqlStore(
    SqlAccounts,
    SqlOutbox,
    SqlMail,
    SqlWaivers,
    SqlKiosks,
    SqlProviders,
    SqlCashup,
    SqlSettlements,
    SqlPaymentState,
):
    """Plumbing in ``sql_base.py``; accounts, outbox, booking emails and reminders, waivers,
    kiosks, provider transactions, cash-up, credits and settlement plans, and the reads of
    logging a payment and of a receipt in ``sql_accounts.py``, ``sql_outbox.py``, ``sql_mail.py``,
    ``sql_waivers.py``, ``sql_kiosks.py``, ``sql_providers.py``, ``sql_cashup.py``,
    ``sql_settlements.py`` and ``sql_payment_state.py``."""

    # -- crew and sessions ------------------------------------------------------------------
    def add_crew(self, member: CrewMember, audit: AuditEntry) -> None:
        try:
            with self._write() as conn:
                conn.execute(t.crew.insert().values(_to_row(member)))
                self._insert_audit(conn, [audit])
        except IntegrityError:
            raise refusals.crew_email_taken(member.email) from None

    def get_crew(self, crew_id: str) -> CrewMember | None:
        row = self._one(sa.select(t.crew).where(t.crew.c.id == crew_id))
        return _crew(row) if row else None

    def get_crew_by_email(self, email: str) -> CrewMember | None:
        row = self._one(sa.select(t.crew).where(t.crew.c.email == email))
        return _crew(row) if row else None

    def list_crew(self) -> list[CrewMember]:
        q = sa.select(t.crew).order_by(t.crew.c.name, t.crew.c.id)
        return [_crew(r) for r in self._all(q)]

    def add_session(self, session: Session, audit: AuditEntry) -> None:
        with self._write() as conn:
            conn.execute(t.sessions.insert().values(_to_row(session)))
            self._insert_audit(conn, [audit])

    def get_session(self, token_hash: str) -> Session | None:
        row = self._one(sa.select(t.sessions).where(t.sessions.c.token_hash == token_hash))
        return _from_row(Session, row) if row else None

    def get_signed_in(self, token_hash: str) -> tuple[Session, CrewMember] | None:
        kept = self._signins
        if kept is None or (stamp := kept.stamp()) is None:  # the stamp before the read
            return self._read_signed_in(token_hash)
        found = kept.get(token_hash, stamp)
        if found is None and (found := self._read_signed_in(token_hash)) is not None:
            kept.put(token_hash, stamp, found)
        return found

    def _read_signed_in(self, token_hash: str) -> tuple[Session, CrewMember] | None:
        row = self._one(SIGNED_IN, {"token_hash": token_hash})
        if row is None:
            return None
        member = {k.removeprefix("crew_"): v for k, v in row.items() if k.startswith("crew_")}
        return _from_row(Session, row), _crew(member)

    def delete_session(self, token_hash: str, audit: AuditEntry) -> None:
        with self._write() as conn:
            conn.execute(t.sessions.delete().where(t.sessions.c.token_hash == token_hash))
            self._insert_audit(conn, [audit])
        self._signins_changed()

    # -- events -----------------------------------------------------------------------------
    def add_event(self, event: Event, audit: AuditEntry) -> None:
        with self._write() as conn:
            conn.execute(t.events.insert().values(_to_row(event)))
            self._insert_audit(conn, [audit])

    def update_event(
        self,
        event: Event,
        expected_version: int,
        audit: AuditEntry,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        row = _to_row(dataclasses.replace(event, version=expected_version + 1))
        with self._write() as conn:
            res = conn.execute(
                t.events.update()
                .where(t.events.c.id == event.id, t.events.c.version == expected_version)
                .values(row)
            )
            if res.rowcount != 1:
                raise refusals.stale_event(event.id)
            self._insert_audit(conn, [audit])
            self._insert_outbox(conn, outbox)

    def get_event(self, event_id: str) -> Event | None:
        row = self._one(EVENT, {"event_id": event_id})
        return _event(row) if row else None

    def list_events(self) -> list[Event]:
        return self._list(EVENTS)

    # -- patrons and bookings ------------------------------------------------------------------
    def get_patron(self, patron_id: str) -> Patron | None:
        row = self._one(sa.select(t.patrons).where(t.patrons.c.id == patron_id))
        return _from_row(Patron, row) if row else None

    def get_patron_by_email(self, email: str) -> Patron | None:
        row = self._one(sa.select(t.patrons).where(t.patrons.c.email == email))
        return _from_row(Patron, row) if row else None

    def _lock_event(self, conn: Connection, event_id: str) -> None:
        """Serialise bookings per event (SQLite already holds the write lock)."""
        lock = LOCK_EVENT_PG if self._pg else LOCK_EVENT
        if conn.execute(lock, {"event_id": event_id}).first() is None:
            raise refusals.no_such_event(event_id)

    @staticmethod
    def _places_booked(conn: Connection, event_id: str) -> int:
        return int(conn.execute(PLACES_BOOKED, {"event_id": event_id}).scalar_one())

    def add_booking(
        self,
        *,
        patron: Patron,
        new_patron: bool,
        booking: Booking,
        capacity: int | None,
        audit: AuditEntry,
        outbox: Sequence[OutboxMessage] = (),
    ) -> Booking:
        try:
            with self._write() as conn:
                self._lock_event(conn, booking.event_id)
                places = self._places_booked(conn, booking.event_id)
                stored, entry = rules.admit(booking, audit, capacity=capacity, places_booked=places)
                if new_patron:
                    conn.execute(t.patrons.insert().values(_to_row(patron)))
                conn.execute(t.bookings.insert().values(_to_row(stored)))
                self._insert_audit(conn, [entry])
                self._insert_outbox(conn, [ob.admitted(m, stored) for m in outbox])
        except IntegrityError:
            raise refusals.patron_already_booked(patron.id, patron.email) from None
        return stored

    def get_booking(self, event_id: str, patron_id: str) -> Booking | None:
        row = self._one(BOOKING, {"event_id": event_id, "patron_id": patron_id})
        return _booking(row) if row else None

    def get_booking_by_token(self, token: str) -> Booking | None:
        row = self._one(BOOKING_BY_TOKEN, {"token": token})
        return _booking(row) if row else None

    def list_bookings(self, event_id: str) -> list[Booking]:
        return self._list(BOOKINGS, {"event_id": event_id})

    def list_bookings_for_events(self, event_ids: Sequence[str]) -> dict[str, list[Booking]]:
        out: dict[str, list[Booking]] = {e: [] for e in event_ids}
        if not out:
            return out
        q = sa.select(t.bookings).where(t.bookings.c.event_id.in_(list(out)))
        order = [t.bookings.c.patron_name, t.bookings.c.patron_id]
        for b in self._records(
            q, Booking, order_by=order, status=BookingStatus, waiver_kind=WaiverKind
        ):
            out[b.event_id].append(b)
        return out

    def update_booking(
        self,
        booking: Booking,
        expected_version: int,
        audit: AuditEntry,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        try:
            if self._pg and _on_driver(self.engine):
                rows = [(INSERT_AUDIT, _to_row(audit)), *_outbox_rows(outbox)]
                self._at_once(booking, expected_version, rows)
                return
            with self._write() as conn:
                self._update_booking(conn, booking, expected_version)
                self._insert_audit(conn, [audit])
                self._insert_outbox(conn, outbox)
        except IntegrityError:
            raise refusals.outbox_key_taken(outbox[0].dedup_key if outbox else "") from None

    def _at_once(
        self,
        booking: Booking,
        expected_version: int,
        rows: list[tuple[Any, dict[str, Any]]],
        *,
        receipt: bool = False,
    ) -> int | None:
        """On PostgreSQL, ``booking`` stored and ``rows`` (statement, row) inserted in one
        statement (``sql_one_write``), in autocommit: on the thread's own reading
        connection in a thread that runs an event loop (as ``_plain_rows`` reads there; a
        statement in autocommit is a transaction of its own), else on a connection of the
        pool; the receipt number it gave (``receipt``: the first row is the payment).
        Nothing is written when the booking is no longer at ``expected_version``
        (StaleWrite). The driver's errors are raised as SQLAlchemy's, as ``_write``'s
        are; a reading connection the server ended is let go."""
        dialect = self.engine.dialect
        sql, args = one_write(
            dialect, _booking_update(booking, expected_version), rows, receipt=receipt
        )
        from psycopg import RawCursor  # PostgreSQL's driver: installed with it

        on_loop = asyncio._get_running_loop() is not None  # noqa: SLF001
        held = contextlib.nullcontext(self._reader()) if on_loop else self._pooled_autocommit()
        with held as conn:
            try:
                row: Any = RawCursor(conn).execute(sql, args).fetchone()
            except self._driver_error as err:
                if on_loop and (conn.closed or conn.broken):
                    self._let_reader_go()
                raise _as_sqlalchemy(err, sql, args, dialect) from err
        updated, number = row
        if updated != 1:
            raise refusals.stale_booking(booking.event_id, booking.patron_id)
        return cast(int | None, number)

    def promote_booking(
        self,
        booking: Booking,
        expected_version: int,
        capacity: int | None,
        audit: AuditEntry,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        with self._write() as conn:
            self._lock_event(conn, booking.event_id)
            places = self._places_booked(conn, booking.event_id)
            rules.check_room(booking, capacity=capacity, places_booked=places)
            self._update_booking(conn, booking, expected_version)
            self._insert_audit(conn, [audit])
            self._insert_outbox(conn, outbox)

    # -- payments ---------------------------------------------------------------------------
    def add_payments(
        self,
        writes: Sequence[PaymentWrite],
        audit: Sequence[AuditEntry],
        outbox: Sequence[OutboxMessage] = (),
    ) -> list[Payment]:
        stored: list[Payment] = []
        try:
            if self._pg and len(writes) == 1 and _on_driver(self.engine):
                [w] = writes
                rows = [
                    (INSERT_PAYMENT, _to_row(w.payment)),
                    *((INSERT_AUDIT, _to_row(e)) for e in audit),
                    *_outbox_rows(outbox),
                ]
                number = self._at_once(w.booking, w.expected_version, rows, receipt=True)
                return [evolve(w.payment, receipt_no=number)]
            with self._write() as conn:
                for w in writes:
                    self._update_booking(conn, w.booking, w.expected_version)
                    number = _next_receipt_no(conn)
                    payment = evolve(w.payment, receipt_no=number)
                    _execute(conn, INSERT_PAYMENT, _to_row(payment))
                    stored.append(payment)
                self._insert_audit(conn, audit)
                self._insert_outbox(conn, outbox)
        except IntegrityError:
            keys = [w.payment.idempotency_key for w in writes]
            raise refusals.idempotency_key_taken(keys) from None
        return stored

    def void_payment(
        self,
        payment: Payment,
        write: PaymentWrite,
        audit: AuditEntry,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        voided = write.payment
        with self._write() as conn:
            res = conn.execute(
                t.payments.update()
                .where(t.payments.c.id == payment.id, t.payments.c.voided_at.is_(None))
                .values(
                    voided_at=voided.voided_at,
                    voided_by=voided.voided_by,
                    void_reason=voided.void_reason,
                )
            )
            if res.rowcount != 1:
                raise refusals.payment_already_voided(payment.id)
            self._update_booking(conn, write.booking, write.expected_version)
            self._insert_audit(conn, [audit])
            self._insert_outbox(conn, outbox)

    def get_payment(self, payment_id: str) -> Payment | None:
        row = self._one(PAYMENT, {"payment_id": payment_id})
        return _payment(row) if row else None

    def get_payment_by_key(self, idempotency_key: str) -> Payment | None:
        row = self._one(PAYMENT_BY_KEY, {"key": idempotency_key})
        return _payment(row) if row else None

    def list_payments(self, event_id: str, patron_id: str | None = None) -> list[Payment]:
        q = sa.select(t.payments).where(t.payments.c.event_id == event_id)
        if patron_id is not None:
            q = q.where(t.payments.c.patron_id == patron_id)
        order = [t.payments.c.logged_at, t.payments.c.receipt_no]
        return self._records(q, Payment, order_by=order, method=PaymentMethod)

    # -- audit ------------------------------------------------------------------------------
    def add_audit(self, entry: AuditEntry) -> None:
        with self._write() as conn:
            self._insert_audit(conn, [entry])

    def list_audit(
        self, *, event_id: str | None = None, patron_id: str | None = None, limit: int = 200
    ) -> list[AuditEntry]:
        if event_id is not None and patron_id is None:
            return self._list(EVENT_AUDIT, {"event_id": event_id, "limit": limit})
        q = sa.select(t.audit)
        if event_id is not None:
            q = q.where(t.audit.c.event_id == event_id)
        if patron_id is not None:
            q = q.where(t.audit.c.patron_id == patron_id)
        return self._records(q.limit(limit), AuditEntry, order_by=[t.audit.c.seq.desc()])
