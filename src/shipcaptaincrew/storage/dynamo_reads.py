"""The read side of ``DynamoStore`` (key design in ``dynamodb.py``). No boto3 here: the
methods use the store's ``_get``/``_query`` plumbing."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from ..domain import outbox as ob
from ..domain.models import (
    AuditEntry,
    Booking,
    CrewMember,
    Event,
    OutboxMessage,
    Patron,
    Payment,
    Session,
)
from ..domain.waivers import WaiverSignature, WaiverTemplate
from .dynamo_items import (
    AUDIT_PK,
    CREW_PK,
    OUTBOX_HEAD_SEP,
    WAIVER_PK,
    S,
    booking_key,
    decode,
    event_key,
    single_key,
    unique_key,
    waiver_sk,
)

# What a booking is read from: its record and its live version (``DynamoReads._booking``).
BOOKING_READ = ("doc", "version")


class DynamoReads:
    # provided by DynamoStore
    def _get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        raise NotImplementedError

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        raise NotImplementedError

    def _index(self, index: str, pk: str) -> Iterator[dict[str, Any]]:
        raise NotImplementedError

    def _partition(
        self, pk: str, prefix: str = "", *, only: Sequence[str] = ()
    ) -> Iterator[dict[str, Any]]:
        raise NotImplementedError

    def _owner(self, kind: str, value: str) -> dict[str, Any] | None:
        """The item a unique value points at (both reads strongly consistent)."""
        ref = self._get(unique_key(kind, value))
        return self._get({"PK": ref["ref_pk"], "SK": ref["ref_sk"]}) if ref else None

    def _via_index(self, pk: str) -> dict[str, Any] | None:
        """The base item a GSI1 key points at, re-read consistently."""
        for hit in self._index("GSI1", pk):
            return self._get({"PK": hit["PK"], "SK": hit["SK"]})
        return None

    # -- crew and sessions ----------------------------------------------------------------------
    def get_crew(self, crew_id: str) -> CrewMember | None:
        item = self._get({"PK": S(CREW_PK), "SK": S(f"CREW#{crew_id}")})
        return decode(CrewMember, item) if item else None

    def get_crew_by_email(self, email: str) -> CrewMember | None:
        item = self._owner("CREWEMAIL", email)
        return decode(CrewMember, item) if item else None

    def list_crew(self) -> list[CrewMember]:
        crew = [decode(CrewMember, i) for i in self._partition(CREW_PK, "CREW#")]
        return sorted(crew, key=lambda c: (c.name, c.id))

    def get_session(self, token_hash: str) -> Session | None:
        item = self._get(single_key("SESSION", token_hash))
        return decode(Session, item) if item else None

    def get_signed_in(self, token_hash: str) -> tuple[Session, CrewMember] | None:
        session = self.get_session(token_hash)
        crew = self.get_crew(session.crew_id) if session else None
        return (session, crew) if session and crew else None

    # -- events -------------------------------------------------------------------------------
    @staticmethod
    def _event(item: dict[str, Any]) -> Event:
        return decode(Event, item, version=int(item["version"]["N"]))

    def get_event(self, event_id: str) -> Event | None:
        item = self._get(event_key(event_id))
        return self._event(item) if item else None

    def list_events(self) -> list[Event]:
        return [self._event(i) for i in self._index("GSI1", "EVENTS")]

    # -- patrons and bookings -----------------------------------------------------------------
    def get_patron(self, patron_id: str) -> Patron | None:
        item = self._get(single_key("PATRON", patron_id))
        return decode(Patron, item) if item else None

    def get_patron_by_email(self, email: str) -> Patron | None:
        item = self._owner("PATRONEMAIL", email)
        return decode(Patron, item) if item else None

    @staticmethod
    def _booking(item: dict[str, Any]) -> Booking:
        return decode(Booking, item, version=int(item["version"]["N"]))

    def get_booking(self, event_id: str, patron_id: str) -> Booking | None:
        item = self._get(booking_key(event_id, patron_id))
        return self._booking(item) if item else None

    def get_booking_by_token(self, token: str) -> Booking | None:
        item = self._via_index(f"TOKEN#{token}")
        return self._booking(item) if item else None

    def list_bookings(self, event_id: str) -> list[Booking]:
        items = self._partition(f"EVENT#{event_id}", "BOOKING#", only=BOOKING_READ)
        bookings = [self._booking(i) for i in items]
        return sorted(bookings, key=lambda b: (b.patron_name, b.patron_id))

    def list_bookings_for_events(self, event_ids: Sequence[str]) -> dict[str, list[Booking]]:
        return {e: self.list_bookings(e) for e in dict.fromkeys(event_ids)}

    # -- payments -----------------------------------------------------------------------------
    def get_payment(self, payment_id: str) -> Payment | None:
        item = self._via_index(f"PAYMENT#{payment_id}")
        return decode(Payment, item) if item else None

    def get_payment_by_key(self, idempotency_key: str) -> Payment | None:
        item = self._owner("IDEMPOTENCY", idempotency_key)
        return decode(Payment, item) if item else None

    def list_payments(self, event_id: str, patron_id: str | None = None) -> list[Payment]:
        prefix = f"PAYMENT#{patron_id}#" if patron_id is not None else "PAYMENT#"
        payments = [decode(Payment, i) for i in self._partition(f"EVENT#{event_id}", prefix)]
        return sorted(payments, key=lambda p: (p.logged_at, p.receipt_no or 0))

    # -- audit --------------------------------------------------------------------------------
    def list_audit(
        self, *, event_id: str | None = None, patron_id: str | None = None, limit: int = 200
    ) -> list[AuditEntry]:
        query: dict[str, Any] = {"ScanIndexForward": False}
        if patron_id is not None:
            query |= {
                "IndexName": "GSI2",
                "KeyConditionExpression": "GSI2PK = :pk",
                "ExpressionAttributeValues": {":pk": S(f"AUDIT#PATRON#{patron_id}")},
            }
            if event_id is not None:
                query["FilterExpression"] = "GSI1PK = :e"
                query["ExpressionAttributeValues"][":e"] = S(f"AUDIT#EVENT#{event_id}")
        elif event_id is not None:
            query |= {
                "IndexName": "GSI1",
                "KeyConditionExpression": "GSI1PK = :pk",
                "ExpressionAttributeValues": {":pk": S(f"AUDIT#EVENT#{event_id}")},
            }
        else:
            query |= {
                "KeyConditionExpression": "PK = :pk",
                "ExpressionAttributeValues": {":pk": S(AUDIT_PK)},
            }
        if "FilterExpression" not in query:
            query["Limit"] = limit
        entries: list[AuditEntry] = []
        for item in self._query(**query):
            entries.append(decode(AuditEntry, item))
            if len(entries) >= limit:
                break
        return entries

    # -- outbox -------------------------------------------------------------------------------
    def get_outbox(self, message_id: str) -> OutboxMessage | None:
        item = self._get({"PK": S("OUTBOX"), "SK": S(f"MSG#{message_id}")})
        return decode(OutboxMessage, item) if item else None

    def list_outbox(self, *, status: str | None = None, limit: int = 200) -> list[OutboxMessage]:
        """Reads the status's index partition (or the whole outbox): an admin view."""
        if status is not None:
            items = self._index("GSI1", f"OUTBOX#{status}")
        else:
            items = self._partition("OUTBOX", "MSG#")
        messages = [decode(OutboxMessage, i) for i in items]
        if status is not None:  # the index may lag; the doc is the truth
            messages = [m for m in messages if m.status == status]
        messages.sort(key=lambda m: (m.created_at, m.id), reverse=True)
        return messages[:limit]

    def list_outbox_for_event(
        self, event_id: str, kinds: Sequence[str], patron_id: str | None = None
    ) -> list[OutboxMessage]:
        wanted = set(kinds)
        items = self._query(
            IndexName="GSI2",
            KeyConditionExpression="GSI2PK = :pk",
            ExpressionAttributeValues={":pk": S(f"OUTBOX#EVENT#{event_id}")},
        )
        return [
            m
            for m in (decode(OutboxMessage, i) for i in items)
            if m.kind in wanted and patron_id in (None, m.patron_id)
        ]

    def latest_outbox_status(
        self, event_id: str, kinds: Sequence[str], patron_id: str | None = None
    ) -> dict[str, str]:
        """The event's messages are one index partition (the same Query as
        ``list_outbox_for_event``), read for each message's ``head`` (``outbox_head``)
        without its doc. A message written before heads existed has only its doc: then
        the docs are read, and only the fields needed."""
        wanted = set(kinds)
        partition = {
            "IndexName": "GSI2",
            "KeyConditionExpression": "GSI2PK = :pk",
            "ExpressionAttributeValues": {":pk": S(f"OUTBOX#EVENT#{event_id}")},
        }
        items = list(
            self._query(
                **partition, ProjectionExpression="#h", ExpressionAttributeNames={"#h": "head"}
            )
        )
        if all("head" in item for item in items):
            rows = []
            for item in items:
                message_id, status, kind, made, patron = item["head"]["S"].split(OUTBOX_HEAD_SEP)
                if kind in wanted and patron and patron_id in (None, patron):
                    rows.append((patron, datetime.fromisoformat(made), message_id, status))
            return ob.latest_statuses(rows)
        with_docs = self._query(**partition, ProjectionExpression="doc")
        docs = (json.loads(item["doc"]["S"]) for item in with_docs)
        return ob.latest_statuses(
            (d.get("patron_id"), datetime.fromisoformat(d["created_at"]), d["id"], d["status"])
            for d in docs
            if d["kind"] in wanted and patron_id in (None, d.get("patron_id"))
        )

    # -- waivers ------------------------------------------------------------------------------
    def get_waiver_template(
        self, template_id: str, version: int | None = None
    ) -> WaiverTemplate | None:
        if version is not None:
            item = self._get({"PK": S(WAIVER_PK), "SK": S(waiver_sk(template_id, version))})
            return decode(WaiverTemplate, item) if item else None
        items = self._query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
            ExpressionAttributeValues={":pk": S(WAIVER_PK), ":p": S(f"{template_id}#V")},
            ScanIndexForward=False,
            Limit=1,
        )
        for item in items:
            return decode(WaiverTemplate, item)
        return None

    def list_waiver_templates(self) -> list[WaiverTemplate]:
        latest: dict[str, WaiverTemplate] = {}
        for item in self._partition(WAIVER_PK, ""):
            template = decode(WaiverTemplate, item)
            latest[template.id] = template  # versions come in ascending order
        return sorted(latest.values(), key=lambda t: (t.name, t.id))

    def list_waiver_template_versions(self, template_id: str) -> list[WaiverTemplate]:
        items = self._partition(WAIVER_PK, f"{template_id}#V")
        return [decode(WaiverTemplate, i) for i in items]

    def get_waiver_signature(self, signature_id: str) -> WaiverSignature | None:
        item = self._get(single_key("SIGNATURE", signature_id))
        return decode(WaiverSignature, item) if item else None
