"""The credits and settlement-plan part of ``DynamoStore``: ``commit_ledger`` and its reads.

Items::

    credit entry     PATRON#{patron_id}    CREDIT#{seq:08d}   (put only if absent: two writers
                                                               taking one number cannot both land)
    credit ledger    PATRON#{patron_id}    CREDITS            (``entries``: every entry's doc,
                                                               appended in the same transaction,
                                                               so many patrons' ledgers come in
                                                               one BatchGetItem per 100)
    settlement plan  EVENT#{event_id}      PLAN#{plan_id}     (``version``: each step's condition;
                                                               ``doc``: the plan's JSON)

A ledger write is one TransactWriteItems, as every other write here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from ..domain import bookings as rules
from ..domain import refusals
from ..domain.credits import CreditEntry
from ..domain.errors import DuplicateKey, StaleWrite
from ..domain.models import Booking, Event, Payment
from ..domain.settlements import Plan, plan_from_json, plan_to_json
from .base import LedgerWrite
from .dynamo_base import Check, DynamoBase, _raiser
from .dynamo_items import (
    COUNTER_KEY,
    N,
    S,
    booking_key,
    decode,
    encode,
    event_key,
    payment_key,
    sort_time,
)

Ops = list[tuple[dict, Check | None]]
_APPEND = "SET entries = list_append(if_not_exists(entries, :none), :new)"


def credit_key(patron_id: str, seq: int) -> dict[str, Any]:
    return {"PK": S(f"PATRON#{patron_id}"), "SK": S(f"CREDIT#{seq:08d}")}


def ledger_key(patron_id: str) -> dict[str, Any]:
    return {"PK": S(f"PATRON#{patron_id}"), "SK": S("CREDITS")}


def plan_key(event_id: str, plan_id: str) -> dict[str, Any]:
    return {"PK": S(f"EVENT#{event_id}"), "SK": S(f"PLAN#{plan_id}")}


def _plan(item: dict[str, Any]) -> Plan:
    return dataclasses.replace(plan_from_json(item["doc"]["S"]), version=int(item["version"]["N"]))


class DynamoSettlements(DynamoBase):
    def commit_ledger(self, write: LedgerWrite) -> list[Payment]:
        result: list[Payment] = []
        dup = refusals.idempotency_key_taken([p.idempotency_key for p in write.payments])

        def build(held: dict[Any, int]) -> Ops:
            ops: Ops = []
            if write.event is not None:
                ops.append(self._event_op(*write.event))
            for booking, version in write.bookings:
                ops += self._booking_update(booking, version, held)
            if write.new_booking is not None:
                ops += self._moved_ops(write.new_booking, write.capacity)
            result.clear()
            if write.payments:
                counter = self._get(COUNTER_KEY)
                last = int(counter["n"]["N"]) if counter else 0
                for i, p in enumerate(write.payments, start=1):
                    payment = dataclasses.replace(p, receipt_no=last + i)
                    result.append(payment)
                    item = {
                        **payment_key(p.event_id, p.patron_id, p.id),
                        "GSI1PK": S(f"PAYMENT#{p.id}"),
                        "GSI1SK": S("PAYMENT"),
                        "doc": encode(payment),
                    }
                    ops.append((self._put_new(item), _raiser(dup)))
                    if p.idempotency_key:
                        unique = self._unique("IDEMPOTENCY", p.idempotency_key, item)
                        ops.append((unique, _raiser(dup)))
            ops += [self._credit_op(e) for e in write.credits]
            ops += self._ledger_ops(write.credits)
            if write.plan is not None:
                ops.append(self._plan_op(write.plan, write.plan_version))
            ops += [(self._audit_put(e), None) for e in write.audit]
            ops += self._outbox_puts(write.outbox)
            if write.payments:
                ops.append((self._counter_op(last, last + len(write.payments)), None))
            return ops

        self._commit(build)
        return list(result)

    def _event_op(self, event: Event, version: int) -> tuple[dict, Check | None]:
        stored = dataclasses.replace(event, version=version + 1)
        update = self._op(
            "Update",
            "#ver = :ev",
            Key=event_key(event.id),
            UpdateExpression="SET #doc = :doc, #ver = :v, GSI1SK = :sk",
            ExpressionAttributeNames={"#doc": "doc", "#ver": "version"},
            ExpressionAttributeValues={
                ":doc": encode(stored),
                ":v": N(version + 1),
                ":ev": N(version),
                ":sk": S(f"{sort_time(event.starts_at)}#{event.id}"),
            },
        )
        return update, _raiser(refusals.stale_event(event.id))

    def _moved_ops(self, booking: Booking, capacity: int | None) -> Ops:
        places = self._places_booked(booking.event_id)
        rules.check_room(booking, capacity=capacity, places_booked=places)
        held = rules.places_held(booking)
        guard = self._op(
            "Update",
            "places = :read",
            Key=event_key(booking.event_id),
            UpdateExpression="SET places = places + :n",
            ExpressionAttributeValues={":read": N(places), ":n": N(held)},
        )
        item = {
            **booking_key(booking.event_id, booking.patron_id),
            "GSI1PK": S(f"TOKEN#{booking.guest_token}"),
            "GSI1SK": S("BOOKING"),
            "version": N(booking.version),
            "held": N(held),
            "doc": encode(booking),
        }
        dup = refusals.patron_already_booked(booking.patron_id, booking.patron_email)
        # A failed guard means another booking changed the places: rebuilt from a new read.
        return [(guard, None), (self._put_new(item), _raiser(dup))]

    def _credit_op(self, e: CreditEntry) -> tuple[dict, Check | None]:
        item = {**credit_key(e.patron_id, e.seq), "doc": encode(e)}
        stale = StaleWrite(
            "The patron's credit changed; read it again.", {"patron_id": e.patron_id}
        )
        return self._put_new(item), _raiser(stale)

    def _ledger_ops(self, entries: Sequence[CreditEntry]) -> Ops:
        by_patron: dict[str, list[CreditEntry]] = {}
        for e in entries:
            by_patron.setdefault(e.patron_id, []).append(e)
        return [
            (
                self._op(
                    "Update",
                    Key=ledger_key(patron_id),
                    UpdateExpression=_APPEND,
                    ExpressionAttributeValues={
                        ":none": {"L": []},
                        ":new": {"L": [encode(e) for e in sorted(new, key=lambda e: e.seq)]},
                    },
                ),
                None,
            )
            for patron_id, new in by_patron.items()
        ]

    def _plan_op(self, plan: Plan, version: int) -> tuple[dict, Check | None]:
        stored = dataclasses.replace(plan, version=version + 1)
        item = {
            **plan_key(plan.event_id, plan.id),
            "version": N(version + 1),
            "created": S(f"{sort_time(plan.created_at)}#{plan.id}"),
            "doc": {"S": plan_to_json(stored)},
        }
        if version == 0:
            dup = DuplicateKey("A plan with this id exists.", {"plan_id": plan.id})
            return self._put_new(item), _raiser(dup)
        stale = StaleWrite("The plan changed; read it again.", {"plan_id": plan.id})
        put = self._op(
            "Put", "#ver = :ev", Item=item,
            ExpressionAttributeNames={"#ver": "version"},
            ExpressionAttributeValues={":ev": N(version)},
        )  # fmt: skip
        return put, _raiser(stale)

    def _counter_op(self, last: int, new: int) -> dict[str, Any]:
        return self._op(
            "Update",
            "attribute_not_exists(n)" if last == 0 else "n = :last",
            Key=COUNTER_KEY,
            UpdateExpression="SET n = :new",
            ExpressionAttributeValues={":new": N(new)} | ({":last": N(last)} if last else {}),
        )

    def list_credits(self, patron_id: str) -> list[CreditEntry]:
        items = self._partition(f"PATRON#{patron_id}", "CREDIT#")
        return sorted((decode(CreditEntry, i) for i in items), key=lambda e: e.seq)

    def list_credits_of(self, patron_ids: Sequence[str]) -> dict[str, list[CreditEntry]]:
        out: dict[str, list[CreditEntry]] = {}
        keys = [ledger_key(p) for p in sorted(set(patron_ids))]
        for i in range(0, len(keys), 100):
            for item in self._ledgers_of(keys[i : i + 100]):
                found = [decode(CreditEntry, {"doc": d}) for d in item["entries"]["L"]]
                out[found[0].patron_id] = sorted(found, key=lambda e: e.seq)
        return {p: out[p] for p in sorted(out)}

    def _ledgers_of(self, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The items of ``keys`` that exist (at most 100), asking again for any the service
        left unprocessed."""
        items: list[dict[str, Any]] = []
        ask: dict[str, Any] = {self.table: {"Keys": keys, "ConsistentRead": True}}
        while ask:
            res = self._client.batch_get_item(RequestItems=ask)
            items += res.get("Responses", {}).get(self.table, [])
            ask = res.get("UnprocessedKeys") or {}
        return items

    def get_plan(self, event_id: str, plan_id: str) -> Plan | None:
        item = self._get(plan_key(event_id, plan_id))
        return _plan(item) if item else None

    def list_plans(self, event_id: str) -> list[Plan]:
        items = sorted(
            self._partition(f"EVENT#{event_id}", "PLAN#"), key=lambda i: i["created"]["S"]
        )
        return [_plan(i) for i in items]
