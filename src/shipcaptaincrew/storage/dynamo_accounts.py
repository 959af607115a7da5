"""The crew-account writes of ``DynamoStore`` (key design in ``dynamodb.py``): account
updates, sessions by member, and sign-in guess counters (``LOGINTRY#{scope}``)."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from ..domain import refusals
from ..domain.accounts import AttemptSlot
from ..domain.models import AuditEntry, Booking, CrewMember, OutboxMessage, Patron, Payment, Session
from .dynamo_base import Check, DynamoBase, _raiser
from .dynamo_items import (
    CREW_PK,
    TRANSACTION_LIMIT,
    TTL_ATTRIBUTE,
    N,
    S,
    decode,
    encode,
    epoch,
    event_key,
    single_key,
    sort_time,
    unique_key,
)

Ops = list[tuple[dict, Check | None]]


def _fixed(ops: Ops) -> Callable[[dict[Any, int]], Ops]:
    """A transaction builder that always builds ``ops``."""
    return lambda _held: ops


class _Stop(Exception):
    """A condition failed that settles the answer: no retry."""


def _stop() -> None:
    raise _Stop


class _Full(Exception):
    def __init__(self, slot: AttemptSlot) -> None:
        super().__init__(slot.scope)
        self.slot = slot


def _full(slot: AttemptSlot) -> Check:
    def check() -> None:
        raise _Full(slot)

    return check


def session_item(session: Session) -> dict[str, Any]:
    """A session, listed per member through GSI1 (``SESSIONS#{crew_id}``)."""
    return {
        **single_key("SESSION", session.token_hash),
        "doc": encode(session),
        "GSI1PK": S(f"SESSIONS#{session.crew_id}"),
        "GSI1SK": S(f"{sort_time(session.created_at)}#{session.token_hash}"),
        TTL_ATTRIBUTE: N(epoch(session.expires_at + timedelta(days=1))),
    }


def counter_key(slot: AttemptSlot) -> dict[str, Any]:
    return {"PK": S(f"LOGINTRY#{slot.scope}"), "SK": S(f"{slot.key}#{slot.window:012d}")}


class DynamoAccounts(DynamoBase):
    def _own_sessions(self, crew_id: str, token_hashes: Sequence[str]) -> list[str]:
        mine = []
        for token_hash in dict.fromkeys(token_hashes):
            item = self._get(single_key("SESSION", token_hash))
            if item is not None and decode(Session, item).crew_id == crew_id:
                mine.append(token_hash)
        return mine

    def _session_deletes(self, hashes: Sequence[str]) -> Ops:
        return [(self._op("Delete", Key=single_key("SESSION", h)), None) for h in hashes]

    def update_crew(
        self, member: CrewMember, audit: AuditEntry, *, end_sessions: Sequence[str] = ()
    ) -> None:
        stored = self._get({"PK": S(CREW_PK), "SK": S(f"CREW#{member.id}")})
        if stored is None:
            raise refusals.no_such_crew(member.id)
        member = dataclasses.replace(member, email=decode(CrewMember, stored).email)
        update = self._op(
            "Update",
            "attribute_exists(PK)",
            Key={"PK": S(CREW_PK), "SK": S(f"CREW#{member.id}")},
            UpdateExpression="SET #doc = :doc",
            ExpressionAttributeNames={"#doc": "doc"},
            ExpressionAttributeValues={":doc": encode(member)},
        )
        hashes = self._own_sessions(member.id, end_sessions)
        first, rest = hashes[: TRANSACTION_LIMIT - 2], hashes[TRANSACTION_LIMIT - 2 :]
        missing = _raiser(refusals.no_such_crew(member.id))
        self._commit(
            lambda _h: [
                (update, missing),
                *self._session_deletes(first),
                (self._audit_put(audit), None),
            ]
        )
        # More sessions than one transaction holds: the account is already updated (and a
        # deactivated member's sessions refused on use); the rest go in further batches.
        for start in range(0, len(rest), TRANSACTION_LIMIT):
            batch = rest[start : start + TRANSACTION_LIMIT]
            self._commit(_fixed(self._session_deletes(batch)))

    def list_sessions(self, crew_id: str) -> list[Session]:
        return [decode(Session, i) for i in self._index("GSI1", f"SESSIONS#{crew_id}")]

    def end_sessions(self, crew_id: str, token_hashes: Sequence[str], audit: AuditEntry) -> int:
        hashes = self._own_sessions(crew_id, token_hashes)
        for start in range(0, max(len(hashes), 1), TRANSACTION_LIMIT - 1):
            batch = hashes[start : start + TRANSACTION_LIMIT - 1]
            audits = [(self._audit_put(audit), None)] if start == 0 else []
            self._commit(_fixed([*self._session_deletes(batch), *audits]))
        return len(hashes)

    def touch_session(self, token_hash: str, *, at: datetime, address: str) -> None:
        item = self._get(single_key("SESSION", token_hash))
        if item is None:
            return
        session = dataclasses.replace(decode(Session, item), last_used_at=at, address=address)
        put = self._op("Put", "attribute_exists(PK)", Item=session_item(session))
        with contextlib.suppress(_Stop):  # signed out meanwhile
            self._commit(lambda _h: [(put, _stop)])

    def take_login_attempt(self, slots: Sequence[AttemptSlot]) -> AttemptSlot | None:
        ops: Ops = [
            (
                self._op(
                    "Update",
                    "attribute_not_exists(#n) OR #n < :limit",
                    Key=counter_key(slot),
                    UpdateExpression="ADD #n :one SET #exp = :exp",
                    ExpressionAttributeNames={"#n": "n", "#exp": TTL_ATTRIBUTE},
                    ExpressionAttributeValues={
                        ":one": N(1),
                        ":limit": N(slot.limit),
                        ":exp": N(epoch(slot.expires_at + timedelta(days=1))),
                    },
                ),
                _full(slot),
            )
            for slot in slots
        ]
        try:
            self._commit(lambda _h: ops)
        except _Full as full:
            return full.slot
        return None

    def give_back_login_attempt(self, slots: Sequence[AttemptSlot]) -> None:
        for slot in slots:
            op = self._op(
                "Update",
                "#n > :zero",
                Key=counter_key(slot),
                UpdateExpression="ADD #n :minus",
                ExpressionAttributeNames={"#n": "n"},
                ExpressionAttributeValues={":zero": N(0), ":minus": N(-1)},
            )
            with contextlib.suppress(_Stop):  # already at zero, or cleared
                self._commit(_fixed([(op, _stop)]))

    def clear_login_attempts(self, scope: str, audit: AuditEntry | None = None) -> int:
        items = list(self._partition(f"LOGINTRY#{scope}"))
        held = sum(int(i["n"]["N"]) for i in items if "n" in i)
        deletes = [(self._op("Delete", Key={"PK": i["PK"], "SK": i["SK"]}), None) for i in items]
        audits: Ops = [(self._audit_put(audit), None)] if audit else []
        size = TRANSACTION_LIMIT - 1
        for start in range(0, max(len(deletes), 1), size):
            batch = [*deletes[start : start + size], *(audits if start == 0 else [])]
            if batch:
                self._commit(_fixed(batch))
        return held

    # -- removing the demo organisation ---------------------------------------------------
    def delete_crew(self, crew_id: str, audit: AuditEntry) -> None:
        stored = self._get({"PK": S(CREW_PK), "SK": S(f"CREW#{crew_id}")})
        if stored is None:
            raise refusals.no_such_crew(crew_id)
        email = decode(CrewMember, stored).email
        sessions = [s.token_hash for s in self.list_sessions(crew_id)]
        self._delete_in_batches(self._session_deletes(sessions))
        crew_key = {"PK": S(CREW_PK), "SK": S(f"CREW#{crew_id}")}
        self._commit(
            _fixed(
                [
                    (self._op("Delete", Key=crew_key), None),
                    (self._op("Delete", Key=unique_key("CREWEMAIL", email)), None),
                    (self._audit_put(audit), None),
                ]
            )
        )

    def _delete_in_batches(self, deletes: Ops) -> None:
        for start in range(0, len(deletes), TRANSACTION_LIMIT):
            self._commit(_fixed(deletes[start : start + TRANSACTION_LIMIT]))

    def _delete(self, key: dict[str, Any]) -> tuple[dict, Check | None]:
        return (self._op("Delete", Key={"PK": key["PK"], "SK": key["SK"]}), None)

    def delete_event_data(
        self, event_id: str, patron_ids: Sequence[str], audit: AuditEntry
    ) -> None:
        event = self._get(event_key(event_id))
        if event is None:
            raise refusals.no_such_event(event_id)
        deletes: Ops = []
        for item in self._partition(f"EVENT#{event_id}"):
            if item["SK"]["S"] == "EVENT":
                continue  # last
            deletes.append(self._delete(item))
            sk = item["SK"]["S"]
            if sk.startswith("PAYMENT#"):
                key = decode(Payment, item).idempotency_key
                if key:
                    deletes.append(self._delete(unique_key("IDEMPOTENCY", key)))
            elif sk.startswith("BOOKING#"):
                booking = decode(Booking, item, version=0)
                signatures = {booking.waiver_signature_id, *(s.signature_id for s in booking.seats)}
                for signature in sorted(s for s in signatures if s):
                    deletes.append(self._delete(single_key("SIGNATURE", signature)))
        for item in self._index("GSI2", f"OUTBOX#EVENT#{event_id}"):
            deletes.append(self._delete(item))
            dedup = decode(OutboxMessage, item).dedup_key
            deletes.append(self._delete(unique_key("OUTBOXKEY", dedup)))
        for item in self._index("GSI1", f"AUDIT#EVENT#{event_id}"):
            deletes.append(self._delete(item))
        for patron_id in patron_ids:
            deletes += [self._delete(i) for i in self._partition(f"PATRON#{patron_id}", "CREDIT")]
            found = self._get(single_key("PATRON", patron_id))
            if found is not None:
                deletes.append(self._delete(found))
                email = decode(Patron, found).email
                deletes.append(self._delete(unique_key("PATRONEMAIL", email)))
        self._delete_in_batches(deletes)
        self._commit(_fixed([self._delete(event_key(event_id)), (self._audit_put(audit), None)]))
