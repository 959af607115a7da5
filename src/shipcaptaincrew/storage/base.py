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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ..domain.models import (
    AuditEntry,
    Booking,
    CrewMember,
    Event,
    OutboxMessage,
    Patron,
    Payment,
    Session,
)
from ..domain.waivers import WaiverSignature, WaiverTemplate


@dataclass(frozen=True)
class PaymentWrite:
    """A new payment and the booking state it produces (read at ``expected_version``)."""

    payment: Payment
    booking: Booking
    expected_version: int


class Store(Protocol):
    def init_schema(self) -> None:
        """Create or migrate the schema. Never called implicitly."""

    def schema_is_current(self) -> bool:
        """Whether the schema is this version's (a read only; ``init_schema`` brings it up
        to date)."""
        ...

    def close(self) -> None: ...

    # crew and sessions
    def add_crew(self, member: CrewMember, audit: AuditEntry) -> None: ...
    def get_crew(self, crew_id: str) -> CrewMember | None: ...
    def get_crew_by_email(self, email: str) -> CrewMember | None: ...
    def list_crew(self) -> list[CrewMember]:
        """Every crew member, by name, then id."""
        ...

    def add_session(self, session: Session, audit: AuditEntry) -> None: ...
    def get_session(self, token_hash: str) -> Session | None: ...
    def get_signed_in(self, token_hash: str) -> tuple[Session, CrewMember] | None:
        """The session and its crew member (None if either is missing), in one read where
        the backend can join: every authenticated request asks this."""
        ...

    def delete_session(self, token_hash: str, audit: AuditEntry) -> None: ...
    def count_login_failures(self, key: str, since: datetime) -> int: ...
    def add_login_failure(self, keys: Sequence[str], at: datetime, audit: AuditEntry) -> None: ...
    def clear_login_failures(self, key: str) -> None: ...

    # events
    def add_event(self, event: Event, audit: AuditEntry) -> None: ...
    def update_event(self, event: Event, expected_version: int, audit: AuditEntry) -> None: ...
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
    ) -> Booking:
        """Add the patron (when new) and the booking, stored as ``domain.bookings.admit``
        decides from the places the event's booked parties hold, read atomically with the
        write (booked when the party fits ``capacity``, else waitlisted); the stored booking
        is returned. ``DuplicateKey`` when the patron is already on the event."""
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

    def update_booking(self, booking: Booking, expected_version: int, audit: AuditEntry) -> None:
        """Store ``booking`` (with its version bumped) if the current version matches."""

    def promote_booking(
        self, booking: Booking, expected_version: int, capacity: int | None, audit: AuditEntry
    ) -> None:
        """Store ``booking`` (a waitlisted booking now booked) as ``update_booking`` does, but
        only if ``domain.bookings.check_room`` passes for the places the event's booked
        parties hold, read atomically with the write; its ``Conflict`` when it does not."""

    # payments
    def add_payments(
        self,
        writes: Sequence[PaymentWrite],
        audit: Sequence[AuditEntry],
        outbox: Sequence[OutboxMessage] = (),
    ) -> list[Payment]:
        """Store the payments, their bookings, audit entries and outbox messages
        in one transaction, giving each payment the next receipt number. Returns
        the stored payments (with receipt numbers)."""
        ...

    def void_payment(
        self,
        payment: Payment,
        write: PaymentWrite,
        audit: AuditEntry,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        """Mark ``payment`` voided (``write.payment`` is its voided form) and store
        the re-settled booking, atomically."""
        ...

    def get_payment(self, payment_id: str) -> Payment | None: ...
    def get_payment_by_key(self, idempotency_key: str) -> Payment | None: ...
    def list_payments(self, event_id: str, patron_id: str | None = None) -> list[Payment]:
        """The event's (or one patron's) payments, voided ones included, by ``logged_at``,
        then receipt number."""
        ...

    # outbox (emails written with their cause; see domain/outbox.py for statuses)
    def list_outbox(self, *, status: str | None = None, limit: int = 200) -> list[OutboxMessage]:
        """Messages newest first (``created_at`` then ``id``, descending), at most ``limit``,
        only those with ``status`` when given. Changes nothing."""
        ...

    def get_outbox(self, message_id: str) -> OutboxMessage | None: ...
    def list_outbox_for_event(
        self, event_id: str, kinds: Sequence[str], patron_id: str | None = None
    ) -> list[OutboxMessage]:
        """Every message of ``event_id`` (only ``patron_id``'s when given) whose kind is in
        ``kinds``, in any order. One read (the roster asks this once for all its bookings;
        a payment response for its one booking)."""
        ...

    def latest_outbox_status(
        self, event_id: str, kinds: Sequence[str], patron_id: str | None = None
    ) -> dict[str, str]:
        """For each patron of ``event_id`` (only ``patron_id`` when given) with a message
        whose kind is in ``kinds``: the stored status of the latest such message (greatest
        ``created_at``, then ``id``). Messages without a patron are left out. One read that
        returns one entry per patron, not the history: the roster asks it for all its
        bookings, a booking's answer for its one patron."""
        ...

    def claim_outbox(
        self,
        *,
        now: datetime,
        lease_until: datetime,
        limit: int,
        ids: Sequence[str] | None = None,
    ) -> list[OutboxMessage]:
        """Claim up to ``limit`` due messages for delivery and return them as claimed.

        Due: status ``queued`` or ``sending`` (a worker's lease that ran out) with
        ``next_attempt_at <= now``; restricted to ``ids`` when given. Earliest
        ``next_attempt_at`` first (then ``created_at``). Each claimed message is stored with status
        ``sending``, ``attempts + 1`` and ``next_attempt_at = lease_until``, atomically per
        message, so while a lease runs no other caller can claim it: two workers calling
        at once never get the same message.
        """
        ...

    def finish_outbox(self, message: OutboxMessage, audit: AuditEntry) -> bool:
        """Record the outcome of a delivery attempt: store ``message``'s ``status``
        (``sent``, ``queued`` for a retry or ``failed``), ``next_attempt_at``,
        ``last_error`` and ``sent_at``, with the audit entry, in one transaction. Only if
        the stored message is still ``sending`` with the same ``attempts`` (the claim this
        worker holds); otherwise writes nothing and returns False."""
        ...

    def requeue_outbox(
        self, message_id: str, *, now: datetime, audit: AuditEntry
    ) -> OutboxMessage | None:
        """Queue a ``failed`` or ``queued`` message for delivery now: status ``queued``,
        ``attempts`` 0, ``next_attempt_at = now`` (``last_error`` kept), with the audit
        entry, atomically. Returns the stored message, or None (writing nothing) when there
        is no such message or it is ``sending`` or ``sent``."""
        ...

    # audit
    def add_audit(self, entry: AuditEntry) -> None: ...
    def list_audit(
        self, *, event_id: str | None = None, patron_id: str | None = None, limit: int = 200
    ) -> list[AuditEntry]:
        """Entries for the event and/or patron (all when neither), newest first (the order
        they were written), at most ``limit``."""
        ...

    # waivers
    def add_waiver_template(self, template: WaiverTemplate, audit: AuditEntry) -> None:
        """Store one version of a template and the audit entry, atomically. Used both for a
        new template (version 1) and for an edit (the next version: the caller reads the
        latest and stores ``latest.version + 1``). Stored versions are never changed or
        removed. ``DuplicateKey`` (and nothing written) when this (id, version) is already
        stored, e.g. two editors saving the same next version at once."""

    def get_waiver_template(
        self, template_id: str, version: int | None = None
    ) -> WaiverTemplate | None:
        """That version of the template, or its highest version when ``version`` is None;
        None when the template (or that version) does not exist."""

    def list_waiver_templates(self) -> list[WaiverTemplate]:
        """The highest version of every template, ordered by name, then id."""

    def list_waiver_template_versions(self, template_id: str) -> list[WaiverTemplate]:
        """Every version of one template, oldest (version 1) first; [] when unknown."""

    def add_waiver_signature(
        self,
        signature: WaiverSignature,
        booking: Booking,
        expected_version: int,
        audit: AuditEntry,
    ) -> None:
        """Store the signature, the booking that now points at it (``booking`` is the new
        state, stored with its version bumped as in ``update_booking``) and the audit entry
        in one transaction. ``StaleWrite`` when the stored booking's version is not
        ``expected_version``; ``DuplicateKey`` when a signature with this id exists. Either
        error leaves nothing written. Signatures are never changed or removed."""

    def get_waiver_signature(self, signature_id: str) -> WaiverSignature | None:
        """The signature with this id (PNG bytes included), or None."""
