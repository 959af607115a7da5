"""Booking emails and reminders in ``SqlStore``: messages added on their own (skipping a
dedup key already taken), events by start time and the reminder windows handled."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ..domain.models import AuditEntry, Event, EventStatus, OutboxMessage
from . import schema as t
from .sql_base import SqlBase, _to_row


class SqlMail(SqlBase):
    def _insert_new_outbox(
        self, conn: Connection, messages: Sequence[OutboxMessage]
    ) -> list[OutboxMessage]:
        """Insert each message whose dedup key is not taken; the ones inserted."""
        insert = postgresql.insert if self._pg else sqlite.insert
        stored = []
        for m in messages:
            row = _to_row(m, rename={"to": "to_addr"})
            q = insert(t.outbox).values(row).on_conflict_do_nothing(index_elements=["dedup_key"])
            if conn.execute(q.returning(t.outbox.c.id)).first() is not None:
                stored.append(m)
        return stored

    def add_outbox(
        self, messages: Sequence[OutboxMessage], audit: Sequence[AuditEntry] = ()
    ) -> list[OutboxMessage]:
        with self._write() as conn:
            stored = self._insert_new_outbox(conn, messages)
            if stored:
                self._insert_audit(conn, audit)
        return stored

    def list_events_starting(self, *, after: datetime, until: datetime) -> list[Event]:
        e = t.events.c
        q = sa.select(t.events).where(e.starts_at > after, e.starts_at <= until)
        return self._records(q, Event, order_by=[e.starts_at, e.id], status=EventStatus)

    def reminders_handled(self, event_ids: Sequence[str]) -> dict[str, set[int]]:
        out: dict[str, set[int]] = {e: set() for e in event_ids}
        if out:
            m = t.reminder_marks.c
            q = sa.select(m.event_id, m.offset_minutes).where(m.event_id.in_(list(out)))
            for row in self._all(q):
                out[row["event_id"]].add(int(row["offset_minutes"]))
        return out

    def add_reminders(
        self,
        *,
        event_id: str,
        offsets: Sequence[int],
        at: datetime,
        messages: Sequence[OutboxMessage],
        audit: AuditEntry,
    ) -> bool:
        marks = [{"event_id": event_id, "offset_minutes": o, "at": at} for o in offsets]
        try:
            with self._write() as conn:
                conn.execute(t.reminder_marks.insert(), marks)
                self._insert_new_outbox(conn, messages)
                self._insert_audit(conn, [audit])
        except IntegrityError:
            return False
        return True
