"""The provider part of ``DynamoStore``: provider transactions not (yet) on a booking.

An item per transaction under its parent payment's partition (``PTXN#{parent_reference}``,
SK ``TXN#{id}``), so a payment that arrives finds its early refunds with one Query; GSI1
``PTXNS -> {received}#{id}`` lists them all for reconciliation."""

from __future__ import annotations

from ..domain import refusals
from ..domain.models import AuditEntry, OutboxMessage
from ..domain.online import ProviderTransaction
from .dynamo_base import DynamoBase, _raiser
from .dynamo_items import S, decode, encode, sort_time


class DynamoProviders(DynamoBase):
    def add_provider_transaction(self, txn: ProviderTransaction, audit: AuditEntry) -> None:
        item = {
            "PK": S(f"PTXN#{txn.parent_reference}"),
            "SK": S(f"TXN#{txn.id}"),
            "GSI1PK": S("PTXNS"),
            "GSI1SK": S(f"{sort_time(txn.received_at)}#{txn.id}"),
            "doc": encode(txn),
        }
        dup = refusals.provider_transaction_taken(txn.id)
        self._commit(
            lambda _h: [(self._put_new(item), _raiser(dup)), (self._audit_put(audit), None)]
        )

    def list_provider_transactions(
        self, *, parent_reference: str | None = None
    ) -> list[ProviderTransaction]:
        if parent_reference is None:
            items = self._index("GSI1", "PTXNS")
        else:
            items = self._partition(f"PTXN#{parent_reference}", "TXN#")
        txns = [decode(ProviderTransaction, i) for i in items]
        return sorted(txns, key=lambda x: (x.received_at, x.id))

    def add_outbox_message(self, message: OutboxMessage, audit: AuditEntry) -> None:
        self._commit(lambda _h: [*self._outbox_puts([message]), (self._audit_put(audit), None)])
