"""The Store protocol's crew part: crew members, their sessions and accounts, sign-in attempts
(``storage/sql_accounts.py``, ``storage/dynamo_accounts.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from ..domain.accounts import AttemptSlot
from ..domain.models import AuditEntry, CrewMember, Session


class AccountStore(Protocol):
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
