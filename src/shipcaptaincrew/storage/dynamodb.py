"""The Store on DynamoDB: one table, every write one conditional TransactWriteItems.

Selected by ``SCC_DATABASE_URL=dynamodb://TABLE?region=eu-west-1&endpoint_url=...``.

Key design (all keys are strings; ``doc`` holds the record as JSON; GSI1 and GSI2 are
overloaded indexes on ``GSI1PK/GSI1SK`` and ``GSI2PK/GSI2SK``)::

    item             PK                    SK                       GSI1PK -> GSI1SK
    event            EVENT#{event_id}      EVENT                    EVENTS -> {starts_utc}#{id}
    booking          EVENT#{event_id}      BOOKING#{patron_id}      TOKEN#{guest_token} -> BOOKING
    payment          EVENT#{event_id}      PAYMENT#{patron}#{id}    PAYMENT#{id} -> PAYMENT
    patron           PATRON#{patron_id}    PATRON
    crew member      CREW                  CREW#{crew_id}
    unique value     {KIND}#{value}        UNIQUE   (ref_pk/ref_sk point at the owning item;
                     KIND: CREWEMAIL, PATRONEMAIL, IDEMPOTENCY, OUTBOXKEY)
    session          SESSION#{hash}        SESSION                  (TTL attribute ``expires``)
    login failure    LOGINFAIL#{key}       {at_utc}#{random}        (TTL attribute ``expires``)
    audit entry      AUDIT                 {write_ns}#{id}          AUDIT#EVENT#{id} -> SK
                                                                    GSI2: AUDIT#PATRON#{id} -> SK
    outbox message   OUTBOX                MSG#{id}                 OUTBOX#{status} -> {due}#{id}
                                                                    GSI2: OUTBOX#EVENT#{id} -> id
    receipt counter  COUNTER               receipt  (attribute ``n``: last number issued)

Access paths: a roster is one Query (``PK=EVENT#id, SK begins_with BOOKING#``); a booking's
payments are one Query under the same partition, read strongly consistent because the
services settle a booking from its payment history. Lookups by guest token and payment id go
through GSI1 for the key, then a consistent GetItem. Unique values (emails, idempotency keys,
outbox dedup keys) are their own items written with ``attribute_not_exists`` in the same
transaction as their owner, so they hold under concurrent Lambdas. Nothing on a request path
scans. Lists through a GSI (events, audit by event/patron) are eventually consistent.

Concurrency: bookings and events carry ``version`` (the expected version is a condition).
An event item keeps ``places`` (the party sizes of its booked bookings) and each booking keeps
``held`` (its share of it), so ``add_booking`` decides booked vs waitlisted with a condition on
``places`` and a booking whose status or party size changes moves ``places`` in the same
transaction. Receipt numbers: the counter is read, then set with ``n = :read`` in the payment
transaction; a concurrent payment cancels it and it is retried, so numbers are sequential
and never reused.

Limit: a transaction holds at most 100 items. A payment takes 3 (booking, payment, audit
entry), 4 with an idempotency key, plus the counter and outbox messages: a batch larger than
that (about 24 payments) is refused with ``Invalid`` rather than split, because a split batch
would no longer be all-or-nothing.
"""

from __future__ import annotations

import dataclasses
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from ..domain.bookings import fits
from ..domain.errors import DuplicateKey, Invalid, NotFound, StaleWrite
from ..domain.models import (
    AuditEntry,
    Booking,
    BookingStatus,
    CrewMember,
    Event,
    OutboxMessage,
    Patron,
    Payment,
    Session,
)
from ..domain.outbox import QUEUED, SENDING, SENT
from ..domain.waivers import WaiverSignature, WaiverTemplate
from .base import PaymentWrite
from .dynamo_items import (
    ATTRIBUTES,
    AUDIT_PK,
    COUNTER_KEY,
    CREW_PK,
    INDEXES,
    KEY_SCHEMA,
    TRANSACTION_LIMIT,
    TTL_ATTRIBUTE,
    WAIVER_PK,
    N,
    S,
    booking_key,
    decode,
    encode,
    epoch,
    event_key,
    next_seq,
    payment_key,
    single_key,
    sort_time,
    unique_key,
    waiver_sk,
)
from .dynamo_reads import DynamoReads

MAX_ATTEMPTS = 25
# A check on a failed transaction item: raises a domain error, or returns to retry.
Check = Callable[[], None]


class _Cancelled(Exception):
    def __init__(self, codes: list[str]) -> None:
        super().__init__(codes)
        self.codes = codes


def _share(b: Booking) -> int:
    return b.party_size if b.status == BookingStatus.BOOKED else 0


def _backoff(attempt: int) -> None:
    time.sleep(min(0.005 * 2**attempt, 0.2) * (0.5 + secrets.randbelow(100) / 100))


class DynamoStore(DynamoReads):
    def __init__(self, table: str, *, region: str | None = None, endpoint_url: str | None = None):
        self.table = table
        self._client = boto3.client(
            "dynamodb",
            region_name=region,
            endpoint_url=endpoint_url,
            config=Config(retries={"mode": "standard", "max_attempts": 4}, max_pool_connections=32),
        )

    @classmethod
    def from_url(cls, url: str) -> DynamoStore:
        """``dynamodb://TABLE?region=...&endpoint_url=...``"""
        parts = urlsplit(url)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if not parts.netloc:
            raise Invalid("The DynamoDB URL needs a table name: dynamodb://TABLE")
        return cls(parts.netloc, region=query.get("region"), endpoint_url=query.get("endpoint_url"))

    # -- plumbing ---------------------------------------------------------------------------
    def _get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        res = self._client.get_item(TableName=self.table, Key=key, ConsistentRead=True)
        return res.get("Item")

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        kwargs["TableName"] = self.table
        if "IndexName" not in kwargs:
            kwargs["ConsistentRead"] = True
        while True:
            res = self._client.query(**kwargs)
            yield from res.get("Items", [])
            if "LastEvaluatedKey" not in res:
                return
            kwargs["ExclusiveStartKey"] = res["LastEvaluatedKey"]

    def _index(self, index: str, pk: str) -> Iterator[dict[str, Any]]:
        return self._query(
            IndexName=index,
            KeyConditionExpression="#pk = :pk",
            ExpressionAttributeNames={"#pk": f"{index}PK"},
            ExpressionAttributeValues={":pk": S(pk)},
        )

    def _partition(self, pk: str, prefix: str = "") -> Iterator[dict[str, Any]]:
        if not prefix:
            return self._query(
                KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": S(pk)}
            )
        return self._query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
            ExpressionAttributeValues={":pk": S(pk), ":p": S(prefix)},
        )

    def _op(self, kind: str, cond: str | None = None, **body: Any) -> dict[str, Any]:
        body["TableName"] = self.table
        if cond:
            body["ConditionExpression"] = cond
        return {kind: body}

    def _put_new(self, item: dict[str, Any]) -> dict[str, Any]:
        return self._op("Put", "attribute_not_exists(PK)", Item=item)

    def _unique(self, kind: str, value: str, owner: dict[str, Any]) -> dict[str, Any]:
        item = {**unique_key(kind, value), "ref_pk": owner["PK"], "ref_sk": owner["SK"]}
        return self._put_new(item)

    def _audit_put(self, entry: AuditEntry) -> dict[str, Any]:
        seq = f"{next_seq()}#{entry.id}"
        item: dict[str, Any] = {"PK": S(AUDIT_PK), "SK": S(seq), "doc": encode(entry)}
        if entry.event_id:
            item |= {"GSI1PK": S(f"AUDIT#EVENT#{entry.event_id}"), "GSI1SK": S(seq)}
        if entry.patron_id:
            item |= {"GSI2PK": S(f"AUDIT#PATRON#{entry.patron_id}"), "GSI2SK": S(seq)}
        return self._op("Put", Item=item)

    def _outbox_puts(self, messages: Sequence[OutboxMessage]) -> list[tuple[dict, Check | None]]:
        ops: list[tuple[dict, Check | None]] = []
        for m in messages:
            item = self._outbox_item(m)
            dup = DuplicateKey("An outbox message with this key exists.", {"key": m.dedup_key})
            ops.append((self._put_new(item), None))
            ops.append((self._unique("OUTBOXKEY", m.dedup_key, item), _raiser(dup)))
        return ops

    @staticmethod
    def _outbox_item(m: OutboxMessage) -> dict[str, Any]:
        item = {
            "PK": S("OUTBOX"),
            "SK": S(f"MSG#{m.id}"),
            "st": S(m.status),
            "attempts": N(m.attempts),
            "GSI1PK": S(f"OUTBOX#{m.status}"),
            "GSI1SK": S(f"{sort_time(m.next_attempt_at)}#{m.id}"),
            "doc": encode(m),
        }
        if m.event_id:
            item |= {"GSI2PK": S(f"OUTBOX#EVENT#{m.event_id}"), "GSI2SK": S(m.id)}
        return item

    def _outbox_replace(self, old: OutboxMessage, new: OutboxMessage) -> dict[str, Any]:
        """Store ``new`` if the stored message still has ``old``'s status and attempts."""
        item = self._outbox_item(new)
        return self._op(
            "Put",
            "st = :st AND attempts = :att",
            Item=item,
            ExpressionAttributeValues={":st": S(old.status), ":att": N(old.attempts)},
        )

    def _transact(self, items: list[dict[str, Any]]) -> None:
        if len(items) > TRANSACTION_LIMIT:
            raise Invalid(
                "Too many changes for one DynamoDB transaction; log fewer payments at once.",
                {"items": len(items), "limit": TRANSACTION_LIMIT},
            )
        for attempt in range(MAX_ATTEMPTS):
            try:
                self._client.transact_write_items(TransactItems=items)
                return
            except ClientError as err:
                code = err.response.get("Error", {}).get("Code", "")
                if code == "TransactionCanceledException":
                    reasons = err.response.get("CancellationReasons") or []
                    codes = [r.get("Code", "None") for r in reasons]
                    if "ConditionalCheckFailed" in codes:
                        raise _Cancelled(codes) from None
                elif code not in ("TransactionConflictException", "ThrottlingException"):
                    raise
                _backoff(attempt)
        raise StaleWrite("The database is busy; retry.")

    def _commit(self, build: Callable[[dict[Any, int]], list[tuple[dict, Check | None]]]) -> None:
        """Run the transaction ``build(held)`` makes; on a failed condition run that item's
        check (raise a domain error, or learn and retry). ``held`` collects the stored
        ``held`` of bookings whose share of their event's places changed."""
        held: dict[Any, int] = {}
        for attempt in range(MAX_ATTEMPTS):
            ops = build(held)
            try:
                self._transact([op for op, _check in ops])
                return
            except _Cancelled as err:
                for (_op, check), code in zip(ops, err.codes, strict=False):
                    if code == "ConditionalCheckFailed" and check is not None:
                        check()
            _backoff(attempt)
        raise StaleWrite("The record is busy; reload and retry.")

    def _booking_update(
        self, b: Booking, expected: int, held: dict[Any, int]
    ) -> list[tuple[dict, Check | None]]:
        """Store ``b`` at ``expected + 1`` if still at ``expected``; move the event's places."""
        ref = (b.event_id, b.patron_id)
        new_held = _share(b)
        old_held = held.get(ref, new_held)
        stored = dataclasses.replace(b, version=expected + 1)
        update = self._op(
            "Update",
            "#ver = :ev AND #held = :oh",
            Key=booking_key(*ref),
            UpdateExpression="SET #doc = :doc, #ver = :v, #held = :nh",
            ExpressionAttributeNames={"#doc": "doc", "#ver": "version", "#held": "held"},
            ExpressionAttributeValues={
                ":doc": encode(stored),
                ":v": N(expected + 1),
                ":ev": N(expected),
                ":oh": N(old_held),
                ":nh": N(new_held),
            },
        )

        def check() -> None:
            item = self._get(booking_key(*ref))
            if item is None or int(item["version"]["N"]) != expected:
                raise StaleWrite(
                    "The booking was changed by someone else; reload and retry.",
                    {"event_id": b.event_id, "patron_id": b.patron_id},
                )
            held[ref] = int(item["held"]["N"])

        ops: list[tuple[dict, Check | None]] = [(update, check)]
        if new_held != old_held:
            ops.append((self._places(b.event_id, new_held - old_held), None))
        return ops

    def _places(self, event_id: str, delta: int) -> dict[str, Any]:
        return self._op(
            "Update",
            "attribute_exists(PK)",
            Key=event_key(event_id),
            UpdateExpression="SET places = places + :d",
            ExpressionAttributeValues={":d": N(delta)},
        )

    def init_schema(self) -> None:
        """Create the table (on-demand, with TTL) unless it exists."""
        try:
            self._client.describe_table(TableName=self.table)
            return
        except self._client.exceptions.ResourceNotFoundException:
            pass
        self._client.create_table(
            TableName=self.table,
            KeySchema=KEY_SCHEMA,
            AttributeDefinitions=ATTRIBUTES,
            GlobalSecondaryIndexes=INDEXES,
            BillingMode="PAY_PER_REQUEST",
        )
        self._client.get_waiter("table_exists").wait(TableName=self.table)
        self._client.update_time_to_live(
            TableName=self.table,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
        )

    def close(self) -> None:
        self._client.close()

    # -- crew and sessions ----------------------------------------------------------------------
    def add_crew(self, member: CrewMember, audit: AuditEntry) -> None:
        item = {"PK": S(CREW_PK), "SK": S(f"CREW#{member.id}"), "doc": encode(member)}
        dup = DuplicateKey("A crew member with this email exists.", {"email": member.email})
        self._commit(
            lambda _held: [
                (self._put_new(item), _raiser(dup)),
                (self._unique("CREWEMAIL", member.email.lower(), item), _raiser(dup)),
                (self._audit_put(audit), None),
            ]
        )

    def add_session(self, session: Session, audit: AuditEntry) -> None:
        item = {
            **single_key("SESSION", session.token_hash),
            "doc": encode(session),
            TTL_ATTRIBUTE: N(epoch(session.expires_at + timedelta(days=1))),
        }
        self._commit(
            lambda _h: [(self._op("Put", Item=item), None), (self._audit_put(audit), None)]
        )

    def delete_session(self, token_hash: str, audit: AuditEntry) -> None:
        delete = self._op("Delete", Key=single_key("SESSION", token_hash))
        self._commit(lambda _h: [(delete, None), (self._audit_put(audit), None)])

    def add_login_failure(self, keys: Sequence[str], at: datetime, audit: AuditEntry) -> None:
        expires = N(epoch(at + timedelta(days=2)))
        puts = [
            self._op(
                "Put",
                Item={
                    "PK": S(f"LOGINFAIL#{key}"),
                    "SK": S(f"{sort_time(at)}#{secrets.token_hex(6)}"),
                    TTL_ATTRIBUTE: expires,
                },
            )
            for key in keys
        ]
        self._commit(lambda _h: [*((p, None) for p in puts), (self._audit_put(audit), None)])

    def clear_login_failures(self, key: str) -> None:
        keys = [{"PK": i["PK"], "SK": i["SK"]} for i in self._partition(f"LOGINFAIL#{key}")]
        for start in range(0, len(keys), 25):
            requests = [{"DeleteRequest": {"Key": k}} for k in keys[start : start + 25]]
            pending: dict[str, Any] = {self.table: requests}
            while pending:
                pending = self._client.batch_write_item(RequestItems=pending).get(
                    "UnprocessedItems", {}
                )

    # -- events -----------------------------------------------------------------------------
    def add_event(self, event: Event, audit: AuditEntry) -> None:
        item = {
            **event_key(event.id),
            "GSI1PK": S("EVENTS"),
            "GSI1SK": S(f"{sort_time(event.starts_at)}#{event.id}"),
            "version": N(event.version),
            "places": N(0),
            "doc": encode(event),
        }
        dup = DuplicateKey("An event with this id exists.", {"event_id": event.id})
        self._commit(
            lambda _h: [(self._put_new(item), _raiser(dup)), (self._audit_put(audit), None)]
        )

    def update_event(self, event: Event, expected_version: int, audit: AuditEntry) -> None:
        stored = dataclasses.replace(event, version=expected_version + 1)
        update = self._op(
            "Update",
            "#ver = :ev",
            Key=event_key(event.id),
            UpdateExpression="SET #doc = :doc, #ver = :v, GSI1SK = :sk",
            ExpressionAttributeNames={"#doc": "doc", "#ver": "version"},
            ExpressionAttributeValues={
                ":doc": encode(stored),
                ":v": N(expected_version + 1),
                ":ev": N(expected_version),
                ":sk": S(f"{sort_time(event.starts_at)}#{event.id}"),
            },
        )
        stale = StaleWrite(
            "The event was changed by someone else; reload and retry.", {"event_id": event.id}
        )
        self._commit(lambda _h: [(update, _raiser(stale)), (self._audit_put(audit), None)])

    # -- patrons and bookings -------------------------------------------------------------------
    def add_booking(
        self,
        *,
        patron: Patron,
        new_patron: bool,
        booking: Booking,
        capacity: int | None,
        audit: AuditEntry,
    ) -> Booking:
        result: list[Booking] = []
        dup = DuplicateKey(
            "This patron is already on the event.", {"patron_id": patron.id, "email": patron.email}
        )

        def event_check() -> None:
            if self._get(event_key(booking.event_id)) is None:
                raise NotFound("No such event.", {"event_id": booking.event_id})

        def build(_held: dict[Any, int]) -> list[tuple[dict, Check | None]]:
            item = self._get(event_key(booking.event_id))
            if item is None:
                raise NotFound("No such event.", {"event_id": booking.event_id})
            places = int(item["places"]["N"])
            booked = fits(capacity, places, booking.party_size)
            status = BookingStatus.BOOKED if booked else BookingStatus.WAITLISTED
            stored = dataclasses.replace(booking, status=status)
            result[:] = [stored]
            # The decision holds only while places is what was read.
            guard = self._op(
                "Update" if booked else "ConditionCheck",
                "places = :read",
                Key=event_key(booking.event_id),
                ExpressionAttributeValues={":read": N(places)}
                | ({":n": N(booking.party_size)} if booked else {}),
                **({"UpdateExpression": "SET places = places + :n"} if booked else {}),
            )
            b_item = {
                **booking_key(booking.event_id, booking.patron_id),
                "GSI1PK": S(f"TOKEN#{booking.guest_token}"),
                "GSI1SK": S("BOOKING"),
                "version": N(stored.version),
                "held": N(_share(stored)),
                "doc": encode(stored),
            }
            entry = dataclasses.replace(audit, data={**audit.data, "status": status.value})
            ops: list[tuple[dict, Check | None]] = [
                (guard, event_check),
                (self._put_new(b_item), _raiser(dup)),
                (self._audit_put(entry), None),
            ]
            if new_patron:
                p_item = {**single_key("PATRON", patron.id), "doc": encode(patron)}
                ops.append((self._put_new(p_item), _raiser(dup)))
                ops.append(
                    (self._unique("PATRONEMAIL", patron.email.lower(), p_item), _raiser(dup))
                )
            return ops

        self._commit(build)
        return result[0]

    def update_booking(self, booking: Booking, expected_version: int, audit: AuditEntry) -> None:
        self._commit(
            lambda held: [
                *self._booking_update(booking, expected_version, held),
                (self._audit_put(audit), None),
            ]
        )

    # -- payments ---------------------------------------------------------------------------
    def add_payments(
        self,
        writes: Sequence[PaymentWrite],
        audit: Sequence[AuditEntry],
        outbox: Sequence[OutboxMessage] = (),
    ) -> list[Payment]:
        result: list[Payment] = []
        keys = [w.payment.idempotency_key for w in writes]
        dup = DuplicateKey(
            "A payment with this idempotency key exists.", {"idempotency_keys": keys}
        )

        def build(held: dict[Any, int]) -> list[tuple[dict, Check | None]]:
            counter = self._get(COUNTER_KEY)
            last = int(counter["n"]["N"]) if counter else 0
            ops: list[tuple[dict, Check | None]] = []
            result.clear()
            for i, w in enumerate(writes, start=1):
                payment = dataclasses.replace(w.payment, receipt_no=last + i)
                result.append(payment)
                item = {
                    **payment_key(payment.event_id, payment.patron_id, payment.id),
                    "GSI1PK": S(f"PAYMENT#{payment.id}"),
                    "GSI1SK": S("PAYMENT"),
                    "doc": encode(payment),
                }
                ops += self._booking_update(w.booking, w.expected_version, held)
                ops.append((self._put_new(item), _raiser(dup)))
                if payment.idempotency_key:
                    ops.append(
                        (self._unique("IDEMPOTENCY", payment.idempotency_key, item), _raiser(dup))
                    )
            ops += [(self._audit_put(e), None) for e in audit]
            ops += self._outbox_puts(outbox)
            # Last: a lost race for the counter only retries once nothing else failed.
            ops.append((self._counter(last, last + len(writes)), None))
            return ops

        self._commit(build)
        return list(result)

    def _counter(self, last: int, new: int) -> dict[str, Any]:
        return self._op(
            "Update",
            "attribute_not_exists(n)" if last == 0 else "n = :last",
            Key=COUNTER_KEY,
            UpdateExpression="SET n = :new",
            ExpressionAttributeValues={":new": N(new)} | ({":last": N(last)} if last else {}),
        )

    def void_payment(
        self,
        payment: Payment,
        write: PaymentWrite,
        audit: AuditEntry,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        voided = write.payment
        update = self._op(
            "Update",
            "attribute_exists(PK) AND attribute_not_exists(voided_at)",
            Key=payment_key(payment.event_id, payment.patron_id, payment.id),
            UpdateExpression="SET #doc = :doc, voided_at = :at",
            ExpressionAttributeNames={"#doc": "doc"},
            ExpressionAttributeValues={
                ":doc": encode(voided),
                ":at": S(sort_time(voided.voided_at or payment.logged_at)),
            },
        )
        stale = StaleWrite("The payment was voided by someone else.", {"payment_id": payment.id})
        self._commit(
            lambda held: [
                (update, _raiser(stale)),
                *self._booking_update(write.booking, write.expected_version, held),
                (self._audit_put(audit), None),
                *self._outbox_puts(outbox),
            ]
        )

    # -- outbox -----------------------------------------------------------------------------
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
                for status in (QUEUED, SENDING)
                for item in self._query(
                    IndexName="GSI1",
                    KeyConditionExpression="GSI1PK = :pk AND GSI1SK <= :due",
                    ExpressionAttributeValues={
                        ":pk": S(f"OUTBOX#{status}"),
                        ":due": S(f"{sort_time(now)}~"),
                    },
                )
            ]
        due = sorted(
            (m for m in candidates if m.status in (QUEUED, SENDING) and m.next_attempt_at <= now),
            key=lambda m: (m.next_attempt_at, m.created_at, m.id),
        )
        claimed: list[OutboxMessage] = []
        for m in due:
            if len(claimed) >= limit:
                break
            mine = dataclasses.replace(
                m, status=SENDING, attempts=m.attempts + 1, next_attempt_at=lease_until
            )
            try:
                self._transact([self._outbox_replace(m, mine)])
            except _Cancelled:
                continue  # another worker claimed it, or the index was behind
            claimed.append(mine)
        return claimed

    def finish_outbox(self, message: OutboxMessage, audit: AuditEntry) -> bool:
        held = dataclasses.replace(message, status=SENDING)
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
            if current is None or current.status in (SENDING, SENT):
                return None
            queued = dataclasses.replace(current, status=QUEUED, attempts=0, next_attempt_at=now)
            try:
                self._transact([self._outbox_replace(current, queued), self._audit_put(audit)])
            except _Cancelled:
                continue
            return queued
        return None

    # -- waivers ----------------------------------------------------------------------------
    def add_waiver_template(self, template: WaiverTemplate, audit: AuditEntry) -> None:
        item = {
            "PK": S(WAIVER_PK),
            "SK": S(waiver_sk(template.id, template.version)),
            "doc": encode(template),
        }
        dup = DuplicateKey(
            "This template version exists already; reload and retry.",
            {"template_id": template.id, "version": template.version},
        )
        self._commit(
            lambda _h: [(self._put_new(item), _raiser(dup)), (self._audit_put(audit), None)]
        )

    def add_waiver_signature(
        self,
        signature: WaiverSignature,
        booking: Booking,
        expected_version: int,
        audit: AuditEntry,
    ) -> None:
        item = {**single_key("SIGNATURE", signature.id), "doc": encode(signature)}
        dup = DuplicateKey("This signature exists already.", {"signature_id": signature.id})
        self._commit(
            lambda held: [
                (self._put_new(item), _raiser(dup)),
                *self._booking_update(booking, expected_version, held),
                (self._audit_put(audit), None),
            ]
        )

    # -- audit ------------------------------------------------------------------------------
    def add_audit(self, entry: AuditEntry) -> None:
        self._client.transact_write_items(TransactItems=[self._audit_put(entry)])


def _raiser(error: Exception) -> Check:
    def check() -> None:
        raise error

    return check
