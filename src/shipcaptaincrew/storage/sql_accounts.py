"""The crew-account part of ``SqlStore``: account updates, sessions, sign-in guess counters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..domain import refusals
from ..domain.accounts import AttemptSlot
from ..domain.models import AuditEntry, CrewMember, Session
from . import schema as t
from .sql_base import SqlBase, _from_row, _to_row


class _Full(Exception):
    """A counter is at its limit: roll the reservation back."""

    def __init__(self, slot: AttemptSlot) -> None:
        super().__init__(slot.scope)
        self.slot = slot


class SqlAccounts(SqlBase):
    def update_crew(
        self, member: CrewMember, audit: AuditEntry, *, end_sessions: Sequence[str] = ()
    ) -> None:
        row = _to_row(member)
        row.pop("email")
        with self._write() as conn:
            res = conn.execute(t.crew.update().where(t.crew.c.id == member.id).values(row))
            if res.rowcount != 1:
                raise refusals.no_such_crew(member.id)
            self._delete_sessions(conn, member.id, end_sessions)
            self._insert_audit(conn, [audit])
        self._signins_changed()

    @staticmethod
    def _delete_sessions(conn: sa.Connection, crew_id: str, hashes: Sequence[str]) -> int:
        if not hashes:
            return 0
        s = t.sessions
        res = conn.execute(
            s.delete().where(s.c.crew_id == crew_id, s.c.token_hash.in_(list(hashes)))
        )
        return int(res.rowcount)

    def list_sessions(self, crew_id: str) -> list[Session]:
        s = t.sessions
        q = sa.select(s).where(s.c.crew_id == crew_id).order_by(s.c.created_at, s.c.token_hash)
        return [_from_row(Session, r) for r in self._all(q)]

    def end_sessions(self, crew_id: str, token_hashes: Sequence[str], audit: AuditEntry) -> int:
        with self._write() as conn:
            ended = self._delete_sessions(conn, crew_id, token_hashes)
            self._insert_audit(conn, [audit])
        self._signins_changed()
        return ended

    def touch_session(self, token_hash: str, *, at: datetime, address: str) -> None:
        s = t.sessions
        with self._write() as conn:
            conn.execute(
                s.update()
                .where(s.c.token_hash == token_hash)
                .values(last_used_at=at, address=address)
            )
        if self._signins is not None:
            self._signins.touched(token_hash, at=at, address=address)

    def take_login_attempt(self, slots: Sequence[AttemptSlot]) -> AttemptSlot | None:
        a = t.login_attempts
        insert = postgresql.insert if self._pg else sqlite.insert
        try:
            with self._write() as conn:
                # counters of windows that ended before these began count for nothing
                ended = min(datetime.fromtimestamp(s.window, UTC) for s in slots)
                conn.execute(a.delete().where(a.c.expires_at <= ended))
                for slot in slots:
                    values = {
                        "scope": slot.scope,
                        "key": slot.key,
                        "window": slot.window,
                        "places": 1,
                        "expires_at": slot.expires_at,
                    }
                    stmt = (
                        insert(a)
                        .values(values)
                        .on_conflict_do_update(
                            index_elements=[a.c.scope, a.c.key, a.c.window],
                            set_={"places": a.c.places + 1},
                            where=a.c.places < slot.limit,
                        )
                        .returning(a.c.places)
                    )
                    if conn.execute(stmt).first() is None:
                        raise _Full(slot)
        except _Full as full:
            return full.slot
        return None

    def give_back_login_attempt(self, slots: Sequence[AttemptSlot]) -> None:
        a = t.login_attempts
        with self._write() as conn:
            for slot in slots:
                conn.execute(
                    a.update()
                    .where(
                        a.c.scope == slot.scope,
                        a.c.key == slot.key,
                        a.c.window == slot.window,
                        a.c.places > 0,
                    )
                    .values(places=a.c.places - 1)
                )

    def clear_login_attempts(self, scope: str, audit: AuditEntry | None = None) -> int:
        a = t.login_attempts
        with self._write() as conn:
            held = conn.execute(
                sa.select(sa.func.coalesce(sa.func.sum(a.c.places), 0)).where(a.c.scope == scope)
            ).scalar_one()
            conn.execute(a.delete().where(a.c.scope == scope))
            self._insert_audit(conn, [audit] if audit else [])
        return int(held)

    # -- removing the demo organisation ---------------------------------------------------
    def delete_crew(self, crew_id: str, audit: AuditEntry) -> None:
        with self._write() as conn:
            conn.execute(t.sessions.delete().where(t.sessions.c.crew_id == crew_id))
            res = conn.execute(t.crew.delete().where(t.crew.c.id == crew_id))
            if res.rowcount != 1:
                raise refusals.no_such_crew(crew_id)
            self._insert_audit(conn, [audit])
        self._signins_changed()

    def delete_event_data(
        self, event_id: str, patron_ids: Sequence[str], audit: AuditEntry
    ) -> None:
        with self._write() as conn:
            tables = (
                t.waiver_signatures,
                t.payments,
                t.outbox,
                t.audit,
                t.kiosks,
                t.cash_counts,
                t.cash_closes,
                t.provider_transactions,
                t.settlement_plans,
                t.bookings,
            )
            for table in tables:
                conn.execute(table.delete().where(table.c.event_id == event_id))
            res = conn.execute(t.events.delete().where(t.events.c.id == event_id))
            if res.rowcount != 1:
                raise refusals.no_such_event(event_id)
            if patron_ids:
                credits = t.credit_entries.c.patron_id.in_(list(patron_ids))
                conn.execute(t.credit_entries.delete().where(credits))
                conn.execute(t.patrons.delete().where(t.patrons.c.id.in_(list(patron_ids))))
            self._insert_audit(conn, [audit])
