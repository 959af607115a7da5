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

from ..domain.accounts import AttemptSlot
from ..domain.cashup import CashClose, CashCount
from ..domain.credits import CreditEntry
from ..domain.kiosk import Kiosk
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
from ..domain.online import ProviderTransaction
from ..domain.settlements import Plan
from ..domain.waivers import WaiverSignature, WaiverTemplate


@dataclass(frozen=True)
class PaymentWrite:
    """A new payment and the booking state it produces (read at ``expected_version``)."""

    payment: Payment
    booking: Booking
    expected_version: int


@dataclass(frozen=True)
class LedgerWrite:
    """Changes that land together or not at all (``Store.commit_ledger``): a settlement
    step, a plan, a credit issued or spent on a booking.

    ``event`` and each of ``bookings`` are stored at their version + 1 if still at the
    version given (else ``StaleWrite``). ``new_booking`` is added booked, only if the party
    fits its event's ``capacity`` by the places booked parties hold, read atomically with
    the write (``Conflict`` when not; ``DuplicateKey`` when the patron is on that event
    already). ``payments`` are added with the next receipt numbers. ``credits`` are added
    only if no entry of that patron has their ``seq`` (else ``StaleWrite``: the caller reads
    the ledger again). ``plan`` is stored new when ``plan_version`` is 0 (``DuplicateKey``
    when its id is taken), else at ``plan_version + 1`` if still at ``plan_version``
    (``StaleWrite``)."""

    event: tuple[Event, int] | None = None
    bookings: Sequence[tuple[Booking, int]] = ()
    new_booking: Booking | None = None
    capacity: int | None = None
    payments: Sequence[Payment] = ()
    credits: Sequence[CreditEntry] = ()
    plan: Plan | None = None
    plan_version: int = 0
    audit: Sequence[AuditEntry] = ()
    outbox: Sequence[OutboxMessage] = ()


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

    # crew accounts (storage/sql_accounts.py, storage/dynamo_accounts.py)
    def update_crew(
        self, member: CrewMember, audit: AuditEntry, *, end_sessions: Sequence[str] = ()
    ) -> None:
        """Store ``member`` (matched by id; its email never changes) and the audit entry,
        and delete the sessions whose token hashes are in ``end_sessions`` (those of
        another member are left alone), atomically. Last write wins. ``NotFound`` and
        nothing written when there is no such member."""

    def list_sessions(self, crew_id: str) -> list[Session]:
        """The member's stored sessions (expired ones included), by ``created_at``, then
        token hash."""
        ...

    def end_sessions(self, crew_id: str, token_hashes: Sequence[str], audit: AuditEntry) -> int:
        """Delete those of ``token_hashes`` that are sessions of ``crew_id`` and write the
        audit entry, atomically; returns how many were deleted."""
        ...

    def touch_session(self, token_hash: str, *, at: datetime, address: str) -> None:
        """Set the session's ``last_used_at`` and ``address`` (not audited: bookkeeping);
        nothing when the session is gone."""

    def delete_crew(self, crew_id: str, audit: AuditEntry) -> None:
        """Delete the member and their sessions, and write the audit entry (which keeps
        their name), atomically; audit entries they wrote stay. Used only to remove the
        demo organisation. ``NotFound`` and nothing written when there is no such member."""

    def delete_event_data(
        self, event_id: str, patron_ids: Sequence[str], audit: AuditEntry
    ) -> None:
        """Delete the event and everything recorded under it: bookings, payments (and their
        idempotency keys), waiver signatures, outbox messages (and their keys) and the
        audit entries naming the event; then the patrons in ``patron_ids`` (the caller
        passes only patrons left without any booking) and their emails; and write
        ``audit``. SQL: one transaction. DynamoDB: batches of transactions with the event
        item last, so a run stopped halfway is finished by running it again. Used only to
        remove the demo organisation. ``NotFound`` and nothing written when there is no
        such event."""

    def take_login_attempt(self, slots: Sequence[AttemptSlot]) -> AttemptSlot | None:
        """Atomically: when every slot's counter (scope, key, window) holds fewer than its
        ``limit`` places, add one to each and return None; otherwise change nothing and
        return the first full slot. However many callers race, a counter never passes its
        limit."""
        ...

    def give_back_login_attempt(self, slots: Sequence[AttemptSlot]) -> None:
        """Take one place off each slot's counter (never below zero)."""

    def clear_login_attempts(self, scope: str, audit: AuditEntry | None = None) -> int:
        """Delete every counter of ``scope`` (all keys and windows) and write the audit
        entry if given, atomically where the backend allows; returns how many places the
        counters held."""
        ...

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

    # A refund is stored by ``add_payments`` as a payment with a negative amount and
    # ``refund_of``; its booking version condition is what keeps two concurrent refunds of
    # one payment from both landing.

    def add_outbox_message(self, message: OutboxMessage, audit: AuditEntry) -> None:
        """Queue one email that no other record changes with (a pay link) and its audit
        entry, atomically; ``DuplicateKey`` (nothing written) when its dedup key is taken."""

    # cash-up (counts are never changed; the close is written once)
    def add_cash_count(self, count: CashCount, audit: AuditEntry) -> None:
        """Store the count and its audit entry atomically, only if the event's cash-up is
        closed exactly when ``count.after_close`` says (else ``StaleWrite``, nothing
        written: the caller reads the close again)."""

    def list_cash_counts(self, event_id: str) -> list[CashCount]:
        """The event's counts, oldest first (``entered_at``, then id)."""
        ...

    def close_cashup(self, close: CashClose, audit: AuditEntry) -> None:
        """Store the close and its audit entry atomically; ``DuplicateKey`` (nothing
        written) when the event's cash-up is closed already."""

    def get_cashup_close(self, event_id: str) -> CashClose | None: ...

    # provider transactions (money a provider reports that is not on a booking)
    def add_provider_transaction(self, txn: ProviderTransaction, audit: AuditEntry) -> None:
        """Store ``txn`` and the audit entry atomically; ``DuplicateKey`` (nothing written)
        when a transaction with ``txn.id`` is stored already."""

    def list_provider_transactions(
        self, *, parent_reference: str | None = None
    ) -> list[ProviderTransaction]:
        """Those whose ``parent_reference`` is given (all when None), by ``received_at``,
        then id. Changes nothing."""
        ...

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
    def add_outbox(
        self, messages: Sequence[OutboxMessage], audit: Sequence[AuditEntry] = ()
    ) -> list[OutboxMessage]:
        """Store each message whose dedup key is not taken yet (the others are skipped, never
        an error) and, when at least one is stored, the audit entries; return the messages
        stored. One transaction on SQL; on DynamoDB one per up to 40 messages, the audit
        entries with the first (a single message and its audit entry are always atomic)."""
        ...

    # reminders (domain/reminders.py decides which windows and bookings)
    def reminders_handled(self, event_ids: Sequence[str]) -> dict[str, set[int]]:
        """For each of ``event_ids`` (a key for every id asked) the reminder offsets (minutes
        before the start) already handled by ``add_reminders``."""
        ...

    def add_reminders(
        self,
        *,
        event_id: str,
        offsets: Sequence[int],
        at: datetime,
        messages: Sequence[OutboxMessage],
        audit: AuditEntry,
    ) -> bool:
        """Mark ``offsets`` of the event handled and store the reminder messages (skipping a
        dedup key already taken) and the audit entry. False, with no mark or audit entry
        written, when one of the offsets was handled already. One transaction on SQL; on
        DynamoDB the messages go first (``add_outbox``), then the marks with the audit entry
        on the condition that none exists, so a repeated sweep never sends twice."""
        ...

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
        error leaves nothing written. Signatures are never changed or removed. A seat's
        signature (``signature.seat``) is stored the same way, the booking carrying the
        seat it signed in ``Booking.seats``."""

    def get_waiver_signature(self, signature_id: str) -> WaiverSignature | None:
        """The signature with this id (PNG bytes included), or None."""

    # waiver kiosks (a shared tablet limited to signing one event's waivers)
    def add_kiosk(self, kiosk: Kiosk, audit: AuditEntry) -> None:
        """Store a new kiosk and the audit entry, atomically. ``NotFound`` (nothing written)
        when its event does not exist; ``DuplicateKey`` when this kiosk id is stored."""

    def get_kiosk_by_token(self, token_hash: str) -> Kiosk | None:
        """The kiosk whose token has this SHA-256 (revoked and expired ones included)."""

    def list_kiosks(self, event_id: str) -> list[Kiosk]:
        """The event's kiosks (revoked and expired included), by ``started_at``, then id."""

    def revoke_kiosk(self, kiosk: Kiosk, audit: AuditEntry) -> bool:
        """Store ``kiosk``'s ``revoked_at``/``revoked_by`` with the audit entry, atomically,
        only if the stored kiosk is not revoked yet; otherwise write nothing and return
        False (also when there is no such kiosk on its event)."""

    # credits and settlement plans (storage/sql_settlements.py, storage/dynamo_settlements.py)
    def commit_ledger(self, write: LedgerWrite) -> list[Payment]:
        """Store everything in ``write`` in one transaction (see ``LedgerWrite`` for each
        part's condition); returns the payments as stored (with receipt numbers)."""
        ...

    def list_credits(self, patron_id: str) -> list[CreditEntry]:
        """The patron's credit entries, by ``seq``. Changes nothing."""
        ...

    def list_credits_of(self, patron_ids: Sequence[str]) -> dict[str, list[CreditEntry]]:
        """Each of these patrons' credit entries, by ``seq`` (only patrons that have any),
        in a few reads whatever their number (one per 100 patrons or more), never one per
        patron. Changes nothing."""
        ...

    def get_plan(self, event_id: str, plan_id: str) -> Plan | None:
        """The plan (at its stored version), or None."""
        ...

    def list_plans(self, event_id: str) -> list[Plan]:
        """The event's plans, by ``created_at``, then id. Changes nothing."""
        ...
