"""The cash-up part of ``SqlStore``: counts (append-only) and the close of an event's."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..domain import refusals
from ..domain.cashup import CashClose, CashCount
from ..domain.models import AuditEntry, PaymentMethod
from . import schema as t
from .sql_base import SqlBase, _from_row, _to_row


class SqlCashup(SqlBase):
    def add_cash_count(self, count: CashCount, audit: AuditEntry) -> None:
        with self._write() as conn:
            closed = conn.execute(
                sa.select(t.cash_closes.c.event_id).where(
                    t.cash_closes.c.event_id == count.event_id
                )
            ).first()
            if (closed is not None) != count.after_close:
                raise refusals.cashup_changed(count.event_id)
            conn.execute(t.cash_counts.insert().values(_to_row(count)))
            self._insert_audit(conn, [audit])

    def list_cash_counts(self, event_id: str) -> list[CashCount]:
        cc = t.cash_counts
        q = sa.select(cc).where(cc.c.event_id == event_id).order_by(cc.c.entered_at, cc.c.id)
        return [_from_row(CashCount, r, method=PaymentMethod) for r in self._all(q)]

    def close_cashup(self, close: CashClose, audit: AuditEntry) -> None:
        try:
            with self._write() as conn:
                conn.execute(t.cash_closes.insert().values(_to_row(close)))
                self._insert_audit(conn, [audit])
        except IntegrityError:
            raise refusals.cashup_closed(close.event_id) from None

    def get_cashup_close(self, event_id: str) -> CashClose | None:
        row = self._one(sa.select(t.cash_closes).where(t.cash_closes.c.event_id == event_id))
        return _from_row(CashClose, row) if row else None
