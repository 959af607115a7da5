"""The outbox part of ``SqlStore``: list, claim, finish and requeue messages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from ..domain import outbox as ob
from ..domain.models import AuditEntry, OutboxMessage
from . import schema as t
from .sql_base import SqlBase, _from_row

# The outbox's columns as OutboxMessage fields (the recipient column is ``to_addr``).
MESSAGE = [c.label("to") if c.name == "to_addr" else c for c in t.outbox.c]


def _message(row: dict[str, object]) -> OutboxMessage:
    return _from_row(OutboxMessage, row)


class SqlOutbox(SqlBase):
    def list_outbox(self, *, status: str | None = None, limit: int = 200) -> list[OutboxMessage]:
        q = sa.select(*MESSAGE)
        if status is not None:
            q = q.where(t.outbox.c.status == status)
        q = q.order_by(t.outbox.c.created_at.desc(), t.outbox.c.id.desc()).limit(limit)
        return [_message(r) for r in self._all(q)]

    def get_outbox(self, message_id: str) -> OutboxMessage | None:
        row = self._one(sa.select(*MESSAGE).where(t.outbox.c.id == message_id))
        return _message(row) if row else None

    def list_outbox_for_event(
        self, event_id: str, kinds: Sequence[str], patron_id: str | None = None
    ) -> list[OutboxMessage]:
        q = sa.select(*MESSAGE).where(
            t.outbox.c.event_id == event_id, t.outbox.c.kind.in_(list(kinds))
        )
        if patron_id is not None:
            q = q.where(t.outbox.c.patron_id == patron_id)
        # A roster asks this for every booking's messages: read them packed (see _records).
        return self._records(q, OutboxMessage, order_by=[t.outbox.c.created_at, t.outbox.c.id])

    def claim_outbox(
        self,
        *,
        now: datetime,
        lease_until: datetime,
        limit: int,
        ids: Sequence[str] | None = None,
    ) -> list[OutboxMessage]:
        due = sa.and_(
            t.outbox.c.status.in_([ob.QUEUED, ob.SENDING]), t.outbox.c.next_attempt_at <= now
        )
        q = sa.select(t.outbox.c.id).where(due)
        if ids is not None:
            q = q.where(t.outbox.c.id.in_(list(ids)))
        q = q.order_by(t.outbox.c.next_attempt_at, t.outbox.c.created_at, t.outbox.c.id).limit(
            limit
        )
        if self._pg:  # SQLite already holds the write lock for the whole transaction
            q = q.with_for_update(skip_locked=True)
        with self._write() as conn:
            picked = list(conn.execute(q).scalars())
            if not picked:
                return []
            conn.execute(
                t.outbox.update()
                .where(t.outbox.c.id.in_(picked), due)
                .values(
                    status=ob.SENDING,
                    attempts=t.outbox.c.attempts + 1,
                    next_attempt_at=lease_until,
                )
            )
            rows = conn.execute(sa.select(*MESSAGE).where(t.outbox.c.id.in_(picked))).mappings()
            claimed = [_message(dict(r)) for r in rows]
        order = {mid: i for i, mid in enumerate(picked)}
        return sorted(claimed, key=lambda m: order[m.id])

    def finish_outbox(self, message: OutboxMessage, audit: AuditEntry) -> bool:
        with self._write() as conn:
            res = conn.execute(
                t.outbox.update()
                .where(
                    t.outbox.c.id == message.id,
                    t.outbox.c.status == ob.SENDING,
                    t.outbox.c.attempts == message.attempts,
                )
                .values(
                    status=message.status,
                    next_attempt_at=message.next_attempt_at,
                    last_error=message.last_error,
                    sent_at=message.sent_at,
                )
            )
            if res.rowcount != 1:
                return False  # the claim was lost; nothing was changed
            self._insert_audit(conn, [audit])
        return True

    def requeue_outbox(
        self, message_id: str, *, now: datetime, audit: AuditEntry
    ) -> OutboxMessage | None:
        with self._write() as conn:
            res = conn.execute(
                t.outbox.update()
                .where(t.outbox.c.id == message_id, t.outbox.c.status.in_([ob.QUEUED, ob.FAILED]))
                .values(status=ob.QUEUED, attempts=0, next_attempt_at=now)
            )
            if res.rowcount != 1:
                return None
            self._insert_audit(conn, [audit])
            row = conn.execute(sa.select(*MESSAGE).where(t.outbox.c.id == message_id)).mappings()
            return _message(dict(row.one()))
