"""The Store protocol's outbox, reminder and audit part."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from ..domain.models import AuditEntry, OutboxMessage


class OutboxStore(Protocol):
    def add_outbox_message(self, message: OutboxMessage, audit: AuditEntry) -> None:
        """Queue one email that no other record changes with (a pay link) and its audit
        entry, atomically; ``DuplicateKey`` (nothing written) when its dedup key is taken."""

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
