"""The kiosk part of ``DynamoStore``: waiver kiosks, in their event's partition.

A kiosk is ``PK=EVENT#{event_id}, SK=KIOSK#{kiosk_id}`` with ``GSI1PK=KIOSK#{token_hash}``
(the lookup an authenticated kiosk request makes, then a consistent GetItem). While it is
not revoked the item has a top-level ``live`` attribute, the revoke's condition."""

from __future__ import annotations

from typing import Any

from ..domain import refusals
from ..domain.kiosk import Kiosk
from ..domain.models import AuditEntry
from .dynamo_base import DynamoBase, _raiser
from .dynamo_items import S, decode, encode, event_key


def kiosk_key(event_id: str, kiosk_id: str) -> dict[str, Any]:
    return {"PK": S(f"EVENT#{event_id}"), "SK": S(f"KIOSK#{kiosk_id}")}


class _AlreadyRevoked(Exception):
    pass


class DynamoKiosks(DynamoBase):
    def add_kiosk(self, kiosk: Kiosk, audit: AuditEntry) -> None:
        item = {
            **kiosk_key(kiosk.event_id, kiosk.id),
            "GSI1PK": S(f"KIOSK#{kiosk.token_hash}"),
            "GSI1SK": S("KIOSK"),
            "doc": encode(kiosk),
            "live": S("1"),
        }
        event = self._op("ConditionCheck", "attribute_exists(PK)", Key=event_key(kiosk.event_id))
        self._commit(
            lambda _h: [
                (event, _raiser(refusals.no_such_event(kiosk.event_id))),
                (self._put_new(item), _raiser(refusals.kiosk_taken(kiosk.id))),
                (self._audit_put(audit), None),
            ]
        )

    def get_kiosk_by_token(self, token_hash: str) -> Kiosk | None:
        item = self._via_index(f"KIOSK#{token_hash}")
        return decode(Kiosk, item) if item else None

    def list_kiosks(self, event_id: str) -> list[Kiosk]:
        kiosks = [decode(Kiosk, i) for i in self._partition(f"EVENT#{event_id}", "KIOSK#")]
        return sorted(kiosks, key=lambda k: (k.started_at, k.id))

    def revoke_kiosk(self, kiosk: Kiosk, audit: AuditEntry) -> bool:
        update = self._op(
            "Update",
            "attribute_exists(live)",
            Key=kiosk_key(kiosk.event_id, kiosk.id),
            UpdateExpression="SET #doc = :doc REMOVE live",
            ExpressionAttributeNames={"#doc": "doc"},
            ExpressionAttributeValues={":doc": encode(kiosk)},
        )
        try:
            self._commit(
                lambda _h: [(update, _raiser(_AlreadyRevoked())), (self._audit_put(audit), None)]
            )
        except _AlreadyRevoked:
            return False
        return True
