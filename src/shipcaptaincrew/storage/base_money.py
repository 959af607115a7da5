"""The Store protocol's money part: payments and refunds, the cash-up, provider
transactions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ..domain.cashup import CashClose, CashCount
from ..domain.models import AuditEntry, Booking, Event, OutboxMessage, Payment
from ..domain.online import ProviderTransaction


@dataclass(frozen=True)
class PaymentWrite:
    """A new payment and the booking state it produces (read at ``expected_version``)."""

    payment: Payment
    booking: Booking
    expected_version: int


@dataclass(frozen=True)
class PaymentState:
    """What logging a payment reads: the event, the booking (None when the patron is not on
    the event) and the booking's payments, voided ones included, oldest first."""

    event: Event
    booking: Booking | None
    payments: list[Payment]


class MoneyStore(Protocol):
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
    def get_receipt_records(
        self, payment_id: str
    ) -> tuple[Payment, Booking | None, Event | None] | None:
        """The payment, its booking and its event (each None when missing) as one read
        where the backend allows it: what a receipt and its email say. None when the
        payment does not exist. Changes nothing."""
        ...

    # A refund is stored by ``add_payments`` as a payment with a negative amount and
    # ``refund_of``; its booking version condition is what keeps two concurrent refunds of
    # one payment from both landing.

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

    def get_event_booking(
        self, event_id: str, patron_id: str, kinds: Sequence[str]
    ) -> tuple[Event, Booking | None, str | None] | None:
        """The event, the patron's booking on it (None when not on it) and the status of
        the patron's latest outbox message of ``kinds`` on the event (None when there is
        none or no booking; the latest as ``latest_outbox_status`` ranks them), as one read
        where the backend allows it: the read of a check-in or a paper waiver. None when
        the event does not exist. Changes nothing."""
        ...

    def get_payment_state(self, event_id: str, patron_id: str) -> PaymentState | None:
        """The event, the booking and its payments (ordered as ``list_payments``) as one
        consistent read where the backend allows it: the one read of logging a payment.
        None when the event does not exist. Changes nothing."""
        ...

    def list_payments(self, event_id: str, patron_id: str | None = None) -> list[Payment]:
        """The event's (or one patron's) payments, voided ones included, by ``logged_at``,
        then receipt number."""
        ...
