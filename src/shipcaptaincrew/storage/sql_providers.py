"""The provider part of ``SqlStore``: provider transactions not (yet) on a booking."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..domain import refusals
from ..domain.models import AuditEntry, OutboxMessage
from ..domain.online import ProviderTransaction
from . import schema as t
from .sql_base import SqlBase, _from_row, _to_row


class SqlProviders(SqlBase):
    def add_provider_transaction(self, txn: ProviderTransaction, audit: AuditEntry) -> None:
        try:
            with self._write() as conn:
                conn.execute(t.provider_transactions.insert().values(_to_row(txn)))
                self._insert_audit(conn, [audit])
        except IntegrityError:
            raise refusals.provider_transaction_taken(txn.id) from None

    def list_provider_transactions(
        self, *, parent_reference: str | None = None
    ) -> list[ProviderTransaction]:
        pt = t.provider_transactions
        q = sa.select(pt)
        if parent_reference is not None:
            q = q.where(pt.c.parent_reference == parent_reference)
        q = q.order_by(pt.c.received_at, pt.c.id)
        return [_from_row(ProviderTransaction, r) for r in self._all(q)]

    def add_outbox_message(self, message: OutboxMessage, audit: AuditEntry) -> None:
        try:
            with self._write() as conn:
                self._insert_outbox(conn, [message])
                self._insert_audit(conn, [audit])
        except IntegrityError:
            raise refusals.outbox_key_taken(message.dedup_key) from None
