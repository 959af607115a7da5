"""The outbox writes of ``DynamoStore``: claim, finish and requeue, each one conditional
Put on the message's status and attempts (reads are in ``dynamo_reads.py``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..domain import outbox as ob
from ..domain.models import AuditEntry, OutboxMessage
from .dynamo_base import MAX_ATTEMPTS, DynamoBase, _Cancelled
from .dynamo_items import N, S, decode, sort_time


class DynamoOutbox(DynamoBase):
    def _outbox_replace(self, old: OutboxMessage, new: OutboxMessage) -> dict[str, Any]:
        """Store ``new`` if the stored message still has ``old``'s status and attempts."""
        item = self._outbox_item(new)
        return self._op(
            "Put",
            "st = :st AND attempts = :att",
            Item=item,
            ExpressionAttributeValues={":st": S(old.status), ":att": N(old.attempts)},
        )

    def claim_outbox(
        self,
        *,
        now: datetime,
        lease_until: datetime,
        limit: int,
        ids: Sequence[str] | None = None,
    ) -> list[OutboxMessage]:
        if ids is not None:
            found = (self.get_outbox(i) for i in ids)
            candidates = [m for m in found if m is not None]
        else:
            candidates = [
                decode(OutboxMessage, item)
                for status in ob.DUE_STATUSES
                for item in self._query(
                    IndexName="GSI1",
                    KeyConditionExpression="GSI1PK = :pk AND GSI1SK <= :due",
                    ExpressionAttributeValues={
                        ":pk": S(f"OUTBOX#{status}"),
                        ":due": S(f"{sort_time(now)}~"),
                    },
                )
            ]
        due = sorted((m for m in candidates if ob.is_due(m, now)), key=ob.claim_order)
        claimed: list[OutboxMessage] = []
        for m in due:
            if len(claimed) >= limit:
                break
            mine = ob.claimed(m, lease_until)
            try:
                self._transact([self._outbox_replace(m, mine)])
            except _Cancelled:
                continue  # another worker claimed it, or the index was behind
            claimed.append(mine)
        return claimed

    def finish_outbox(self, message: OutboxMessage, audit: AuditEntry) -> bool:
        held = dataclasses.replace(message, status=ob.SENDING)
        try:
            self._transact([self._outbox_replace(held, message), self._audit_put(audit)])
        except _Cancelled:
            return False
        return True

    def requeue_outbox(
        self, message_id: str, *, now: datetime, audit: AuditEntry
    ) -> OutboxMessage | None:
        for _attempt in range(MAX_ATTEMPTS):
            current = self.get_outbox(message_id)
            if current is None or current.status not in ob.REQUEUEABLE:
                return None
            queued = ob.requeued(current, now)
            try:
                self._transact([self._outbox_replace(current, queued), self._audit_put(audit)])
            except _Cancelled:
                continue
            return queued
        return None
