"""The kiosk part of ``SqlStore``: waiver kiosks (their tokens stored only as hashes)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..domain import refusals
from ..domain.kiosk import Kiosk
from ..domain.models import AuditEntry
from . import schema as t
from .sql_base import SqlBase, _from_row, _to_row


class SqlKiosks(SqlBase):
    def add_kiosk(self, kiosk: Kiosk, audit: AuditEntry) -> None:
        try:
            with self._write() as conn:
                self._lock_kiosk_event(conn, kiosk.event_id)
                conn.execute(t.kiosks.insert().values(_to_row(kiosk)))
                self._insert_audit(conn, [audit])
        except IntegrityError:
            raise refusals.kiosk_taken(kiosk.id) from None

    @staticmethod
    def _lock_kiosk_event(conn: sa.Connection, event_id: str) -> None:
        found = conn.execute(sa.select(t.events.c.id).where(t.events.c.id == event_id)).first()
        if found is None:
            raise refusals.no_such_event(event_id)

    def get_kiosk_by_token(self, token_hash: str) -> Kiosk | None:
        row = self._one(sa.select(t.kiosks).where(t.kiosks.c.token_hash == token_hash))
        return _from_row(Kiosk, row) if row else None

    def list_kiosks(self, event_id: str) -> list[Kiosk]:
        k = t.kiosks
        q = sa.select(k).where(k.c.event_id == event_id).order_by(k.c.started_at, k.c.id)
        return [_from_row(Kiosk, r) for r in self._all(q)]

    def revoke_kiosk(self, kiosk: Kiosk, audit: AuditEntry) -> bool:
        k = t.kiosks
        with self._write() as conn:
            done = conn.execute(
                k.update()
                .where(k.c.id == kiosk.id, k.c.event_id == kiosk.event_id, k.c.revoked_at.is_(None))
                .values(revoked_at=kiosk.revoked_at, revoked_by=kiosk.revoked_by)
            )
            if done.rowcount != 1:
                return False
            self._insert_audit(conn, [audit])
        return True
