"""Plumbing of ``DynamoStore`` (key design in ``dynamodb.py``): the client, reads, the
transaction builders and the retrying commit that turns failed conditions into domain errors."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

import botocore.loaders
import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

from ..domain import refusals
from ..domain.bookings import places_held
from ..domain.errors import Invalid, StaleWrite
from ..domain.models import AuditEntry, Booking, OutboxMessage
from .dynamo_items import (
    ATTRIBUTES,
    AUDIT_PK,
    INDEXES,
    KEY_SCHEMA,
    OUTBOX_HEAD_SEP,
    TRANSACTION_LIMIT,
    TTL_ATTRIBUTE,
    N,
    S,
    booking_key,
    encode,
    event_key,
    next_seq,
    outbox_head,
    sort_time,
    unique_key,
)
from .dynamo_reads import DynamoReads

MAX_ATTEMPTS = 25
# A check on a failed transaction item: raises a domain error, or returns to retry.
Check = Callable[[], None]


class _Cancelled(Exception):
    def __init__(self, codes: list[str]) -> None:
        super().__init__(codes)
        self.codes = codes


def _backoff(attempt: int) -> None:
    time.sleep(min(0.005 * 2**attempt, 0.2) * (0.5 + secrets.randbelow(100) / 100))


@functools.cache
def _service_models(data_path: str | None) -> botocore.loaders.Loader:
    """botocore's reader of its service descriptions (JSON), shared by every store of the
    process: it keeps what it has parsed, so a second store's client does not parse
    DynamoDB's model again."""
    return botocore.loaders.create_loader(data_path)


def make_client(*, region: str | None = None, endpoint_url: str | None = None) -> Any:
    """A DynamoDB client with a session of its own: credentials are read when it is made,
    not cached from whatever built a client earlier in the process. botocore alone: boto3
    would add its resource layer and s3transfer to the cold start for nothing a client uses."""
    session = botocore.session.get_session()
    models = _service_models(session.get_config_variable("data_path"))
    session.register_component("data_loader", models)
    return session.create_client(
        "dynamodb",
        region_name=region,
        endpoint_url=endpoint_url,
        config=Config(retries={"mode": "standard", "max_attempts": 4}, max_pool_connections=32),
    )


class DynamoBase(DynamoReads):
    # No limit of its own: requests wait on the network (and Lambda serves one at a time).
    concurrency: int | None = None
    local = False

    def __init__(
        self,
        table: str,
        *,
        region: str | None = None,
        endpoint_url: str | None = None,
        client: Any = None,
    ):
        """The store of ``table``, on a client of its own (``make_client``), or on ``client``
        when several stores of one process share one (one per table: the test suite's),
        which closing the store leaves open."""
        self.table = table
        self._owns_client = client is None
        self._client = client or make_client(region=region, endpoint_url=endpoint_url)

    # Every write is one request that commits on its own: no group to join.
    def grouped(self) -> AbstractContextManager[None]:
        return contextlib.nullcontext()

    async def ready_to_write(self) -> None:
        return None

    def pending_commit(self) -> None:
        return None

    def on_commit(self, fn: Callable[[], None]) -> None:
        fn()

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

    def _partition(
        self, pk: str, prefix: str = "", *, only: Sequence[str] = ()
    ) -> Iterator[dict[str, Any]]:
        """The items of partition ``pk`` (whose sort key starts with ``prefix``), with only
        the attributes ``only`` when given: botocore parses every attribute of every item
        in Python, so a roster's 500 bookings read with their ``doc`` and ``version`` alone
        cost about a third less CPU than with their keys and index attributes too."""
        query: dict[str, Any] = (
            {"KeyConditionExpression": "PK = :pk", "ExpressionAttributeValues": {":pk": S(pk)}}
            if not prefix
            else {
                "KeyConditionExpression": "PK = :pk AND begins_with(SK, :p)",
                "ExpressionAttributeValues": {":pk": S(pk), ":p": S(prefix)},
            }
        )
        if only:
            names = {f"#a{i}": name for i, name in enumerate(only)}
            query |= {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}
        return self._query(**query)

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
            dup = refusals.outbox_key_taken(m.dedup_key)
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
            # What a roster's receipt-email column reads instead of the doc (``outbox_head``)
            "head": S(OUTBOX_HEAD_SEP.join(outbox_head(m))),
        }
        if m.event_id:
            item |= {"GSI2PK": S(f"OUTBOX#EVENT#{m.event_id}"), "GSI2SK": S(m.id)}
        return item

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
        raise refusals.busy()

    def _booking_update(
        self, b: Booking, expected: int, held: dict[Any, int]
    ) -> list[tuple[dict, Check | None]]:
        """Store ``b`` at ``expected + 1`` if still at ``expected``; move the event's places."""
        ref = (b.event_id, b.patron_id)
        new_held = places_held(b)
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
                raise refusals.stale_booking(b.event_id, b.patron_id)
            held[ref] = int(item["held"]["N"])

        ops: list[tuple[dict, Check | None]] = [(update, check)]
        if new_held != old_held:
            ops.append((self._places(b.event_id, new_held - old_held), None))
        return ops

    def _places_booked(self, event_id: str) -> int:
        """The places the event's booked parties hold (kept on the event item)."""
        item = self._get(event_key(event_id))
        if item is None:
            raise refusals.no_such_event(event_id)
        return int(item["places"]["N"])

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

    def schema_is_current(self) -> bool:
        """One table with its indexes, created by ``init_schema``: current once it exists
        (a missing table raises, as every other read does)."""
        self._client.describe_table(TableName=self.table)
        return True

    def close(self) -> None:
        if self._owns_client:
            self._client.close()


def _raiser(error: Exception) -> Check:
    def check() -> None:
        raise error

    return check
