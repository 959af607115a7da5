"""The Store protocol: everything the services need from persistence.

Each write method is one atomic unit: either all of it lands or none of it.
Updates of a booking carry the version the caller read; the store refuses the
write with ``StaleWrite`` when the booking has changed since, so concurrent
crew phones never overwrite each other and the caller can re-read and retry.
Unique keys (crew email, payment idempotency key) raise ``DuplicateKey``.

A store decides no business rule: what a booking is stored as, what is due and what the
user is told come from ``domain/`` (``bookings.admit``, ``outbox.claimed``, ``refusals``);
the store does the atomic read and the conditional write. Emails arrive normalised
(lower-case) from the services and are matched exactly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from ..domain.models import AuditEntry, Booking, Event, OutboxMessage, Patron
from .base_accounts import AccountStore
from .base_money import MoneyStore, PaymentState, PaymentWrite
from .base_outbox import OutboxStore
from .base_settlements import LedgerWrite, SettlementStore
from .base_waivers import WaiverStore

__all__ = ["LedgerWrite", "PaymentState", "PaymentWrite", "Store"]


class Store(AccountStore, MoneyStore, OutboxStore, WaiverStore, SettlementStore, Protocol):
    # How many requests of one process should do their store work at once (the server's
    # thread pool); None: as many as the server allows.
    concurrency: int | None
    # Whether it answers from this machine (a file, or a database server over the loopback
    # or a unix socket), never waiting on a network: its calls may run on the event loop
    # (``web/store_work.py``).
    local: bool

    def grouped(self) -> AbstractContextManager[None]:
        """A block of store work on a thread that runs an event loop (``web/store_work.py``)
        whose writes may join one transaction with other requests' and commit with them
        (SQLite: one fsync for them all); ``pending_commit`` is that commit. A store whose
        every write commits on its own does nothing."""
        ...

    async def ready_to_write(self) -> None:
        """Before grouped work that writes (``web/store_work.py``): the group it will join
        opened, waiting for the database's write lock without holding up the event loop
        (SQLite); nothing where every write commits on its own."""

    def pending_commit(self) -> asyncio.Future[Exception | None] | None:
        """The commit of the group this thread's work wrote to or read from while it is
        open (its result: None once committed, else the error that ended it); None when
        there is none."""
        ...

    def on_commit(self, fn: Callable[[], None]) -> None:
        """``fn()`` once what this thread wrote has committed: at once, or when its group
        commits (never, if the group fails)."""

    def init_schema(self) -> None:
        """Create or migrate the schema. Never called implicitly."""

    def schema_is_current(self) -> bool:
        """Whether the schema is this version's (a read only; ``init_schema`` brings it up
        to date)."""
        ...

    def close(self) -> None: ...

    # events
    def add_event(self, event: Event, audit: AuditEntry) -> None: ...
    def update_event(
        self,
        event: Event,
        expected_version: int,
        audit: AuditEntry,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        """Store ``event`` (version bumped) if the current version matches, with the audit
        entry and the outbox messages, atomically."""

    def list_events_starting(self, *, after: datetime, until: datetime) -> list[Event]:
        """Events with ``after < starts_at <= until`` (every status), by ``starts_at``, then
        id: one query (an index on the start time; on DynamoDB a range Query of GSI1)."""
        ...

    def get_event(self, event_id: str) -> Event | None: ...
    def list_events(self) -> list[Event]:
        """Every event, by ``starts_at``, then id."""
        ...

    # patrons and bookings
    def get_patron(self, patron_id: str) -> Patron | None: ...
    def get_patron_by_email(self, email: str) -> Patron | None: ...
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
        """Add the patron (when new) and the booking, stored as ``domain.bookings.admit``
        decides from the places the event's booked parties hold, read atomically with the
        write (booked when the party fits ``capacity``, else waitlisted); the stored booking
        is returned. Each outbox message is stored with it as ``domain.outbox.admitted``
        makes it for the stored booking. ``DuplicateKey`` when the patron is already on the
        event."""
        ...

    def get_booking(self, event_id: str, patron_id: str) -> Booking | None: ...
    def get_booking_by_token(self, token: str) -> Booking | None: ...
    def list_bookings(self, event_id: str) -> list[Booking]:
        """The event's bookings (every status), by patron name, then patron id."""
        ...

    def list_bookings_for_events(self, event_ids: Sequence[str]) -> dict[str, list[Booking]]:
        """The bookings of each of ``event_ids`` (a key for every id asked, [] when none),
        each list ordered as ``list_bookings``: one query where the backend can (SQL); on
        DynamoDB an event's bookings are its own partition, so one Query per event."""
        ...

    def update_booking(
        self,
        booking: Booking,
        expected_version: int,
        audit: AuditEntry,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        """Store ``booking`` (with its version bumped) if the current version matches, with
        the audit entry and any outbox messages, in one transaction (``DuplicateKey``, and
        nothing written, when a message's dedup key is taken)."""

    def promote_booking(
        self,
        booking: Booking,
        expected_version: int,
        capacity: int | None,
        audit: AuditEntry,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        """Store ``booking`` (a waitlisted booking now booked) as ``update_booking`` does, but
        only if ``domain.bookings.check_room`` passes for the places the event's booked
        parties hold, read atomically with the write; its ``Conflict`` when it does not."""
