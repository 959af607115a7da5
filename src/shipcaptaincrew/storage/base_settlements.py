"""The Store protocol's credit and settlement-plan part (``storage/sql_settlements.py``,
``storage/dynamo_settlements.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ..domain.credits import CreditEntry
from ..domain.models import AuditEntry, Booking, Event, OutboxMessage, Payment
from ..domain.settlements import Plan


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


class SettlementStore(Protocol):
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
