"""Booking email and reminder parts of ``DynamoStore``: messages added on their own
(skipping a dedup key already taken), events by start time and reminder marks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ..domain.errors import DuplicateKey
from ..domain.models import AuditEntry, Event, OutboxMessage
from .dynamo_base import DynamoBase, _raiser
from .dynamo_items import S, event_key, sort_time

CHUNK = 40  # messages per transaction: 2 items each, under the limit of 100


def _mark_sk(minutes: int) -> str:
    return f"REMINDED#{minutes:06d}"


class DynamoMail(DynamoBase):
    def _add_new(self, messages: Sequence[OutboxMessage], audit: Sequence[AuditEntry]) -> bool:
        """Store the messages and audit entries in one transaction; False (nothing written)
        when a dedup key is taken."""
        try:
            self._commit(
                lambda _h: [
                    *self._outbox_puts(messages),
                    *((self._audit_put(a), None) for a in audit),
                ]
            )
        except DuplicateKey:
            return False
        return True

    def add_outbox(
        self, messages: Sequence[OutboxMessage], audit: Sequence[AuditEntry] = ()
    ) -> list[OutboxMessage]:
        stored: list[OutboxMessage] = []
        for i in range(0, len(messages), CHUNK):
            chunk = messages[i : i + CHUNK]
            entries = audit if not stored else ()
            if self._add_new(chunk, entries):
                stored += chunk
                continue
            for m in chunk:  # a key in the chunk was taken: add the others one by one
                if self._add_new([m], audit if not stored else ()):
                    stored.append(m)
        return stored

    def list_events_starting(self, *, after: datetime, until: datetime) -> list[Event]:
        items = self._query(
            IndexName="GSI1",
            KeyConditionExpression="GSI1PK = :pk AND GSI1SK BETWEEN :lo AND :hi",
            ExpressionAttributeValues={
                ":pk": S("EVENTS"),
                ":lo": S(sort_time(after)),
                ":hi": S(f"{sort_time(until)}#~"),
            },
        )
        events = [self._event(i) for i in items]
        return [e for e in events if after < e.starts_at <= until]

    def reminders_handled(self, event_ids: Sequence[str]) -> dict[str, set[int]]:
        out: dict[str, set[int]] = {}
        for event_id in event_ids:
            marks = self._partition(f"EVENT#{event_id}", "REMINDED#")
            out[event_id] = {int(i["SK"]["S"].removeprefix("REMINDED#")) for i in marks}
        return out

    def add_reminders(
        self,
        *,
        event_id: str,
        offsets: Sequence[int],
        at: datetime,
        messages: Sequence[OutboxMessage],
        audit: AuditEntry,
    ) -> bool:
        self.add_outbox(messages)
        taken = DuplicateKey("These reminders were sent already.", {"event_id": event_id})
        pk = event_key(event_id)["PK"]
        marks = [
            (
                self._put_new({"PK": pk, "SK": S(_mark_sk(o)), "at": S(sort_time(at))}),
                _raiser(taken),
            )
            for o in offsets
        ]
        try:
            self._commit(lambda _h: [*marks, (self._audit_put(audit), None)])
        except DuplicateKey:
            return False
        return True
