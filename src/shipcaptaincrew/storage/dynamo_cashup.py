"""The cash-up part of ``DynamoStore``: counts under their event's partition
(``CASHCOUNT#{entered}#{id}``) and the close (``CASHCLOSE``), which each count's transaction
checks so a count is flagged after closing exactly when it was written after the close."""

from __future__ import annotations

from typing import Any

from ..domain import refusals
from ..domain.cashup import CashClose, CashCount
from ..domain.models import AuditEntry
from .dynamo_base import DynamoBase, _raiser
from .dynamo_items import S, decode, encode, sort_time


def _close_key(event_id: str) -> dict[str, Any]:
    return {"PK": S(f"EVENT#{event_id}"), "SK": S("CASHCLOSE")}


class DynamoCashup(DynamoBase):
    def add_cash_count(self, count: CashCount, audit: AuditEntry) -> None:
        item = {
            "PK": S(f"EVENT#{count.event_id}"),
            "SK": S(f"CASHCOUNT#{sort_time(count.entered_at)}#{count.id}"),
            "doc": encode(count),
        }
        check = self._op(
            "ConditionCheck",
            "attribute_exists(PK)" if count.after_close else "attribute_not_exists(PK)",
            Key=_close_key(count.event_id),
        )
        changed = refusals.cashup_changed(count.event_id)
        self._commit(
            lambda _h: [
                (check, _raiser(changed)),
                (self._put_new(item), None),
                (self._audit_put(audit), None),
            ]
        )

    def list_cash_counts(self, event_id: str) -> list[CashCount]:
        items = self._partition(f"EVENT#{event_id}", "CASHCOUNT#")
        return [decode(CashCount, i) for i in items]

    def close_cashup(self, close: CashClose, audit: AuditEntry) -> None:
        item = {**_close_key(close.event_id), "doc": encode(close)}
        dup = refusals.cashup_closed(close.event_id)
        self._commit(
            lambda _h: [(self._put_new(item), _raiser(dup)), (self._audit_put(audit), None)]
        )

    def get_cashup_close(self, event_id: str) -> CashClose | None:
        item = self._get(_close_key(event_id))
        return decode(CashClose, item) if item else None
