"""The store contract on DynamoDB (moto's server mode on a local port, a fresh table per test)."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from shipcaptaincrew.storage.dynamodb import DynamoStore
from tests.storage.contract import StoreContract


@contextmanager
def _queries_asked(store: DynamoStore) -> Iterator[list[dict]]:
    """The parameters of every Query ``store`` sends in the block."""
    asked: list[dict] = []
    events = store._client.meta.events  # noqa: SLF001
    events.register(
        "provide-client-params.dynamodb.Query", lambda params, **_: asked.append(params)
    )
    try:
        yield asked
    finally:
        events.unregister("provide-client-params.dynamodb.Query")


class TestDynamoStore(StoreContract):
    @pytest.fixture
    def store(self, dynamo_store: DynamoStore) -> DynamoStore:
        return dynamo_store


def test_a_record_decoded_in_one_step_is_the_one_its_class_makes() -> None:
    """A doc with every field is made without the class's ``__init__``; the record, its
    attributes and their order are those ``Booking(**fields)`` gives. A doc written before a
    field existed gets the field's default from the class."""
    import dataclasses
    import json

    from shipcaptaincrew.domain.models import Booking
    from shipcaptaincrew.storage.dynamo_items import decode, encode
    from tests import factories as f

    booking = dataclasses.replace(
        f.booking_record(f.event_record(), f.patron_record()), aboard=1, version=3
    )
    made = decode(Booking, {"doc": encode(booking)}, version=3)
    assert (type(made), made, vars(made)) == (Booking, booking, vars(booking))
    assert list(vars(made)) == list(vars(booking))
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.aboard = 0  # type: ignore[misc]

    older = json.loads(encode(booking)["S"])
    del older["aboard"]
    made = decode(Booking, {"doc": {"S": json.dumps(older)}}, version=3)
    assert made == dataclasses.replace(
        booking, aboard=Booking.__dataclass_fields__["aboard"].default
    )


def test_a_roster_reads_only_each_bookings_doc_and_version(dynamo_store: DynamoStore) -> None:
    """The roster's Query asks for the two attributes a booking is read from; the bookings
    come back whole, in the roster's order."""
    from tests import factories as f

    event = f.event_record()
    dynamo_store.add_event(event, f.audit_entry())
    for name in ["Zoë", "Adam", "Émile"]:
        patron = f.patron_record(name=name)
        dynamo_store.add_booking(
            patron=patron,
            new_patron=True,
            booking=f.booking_record(event, patron),
            capacity=event.capacity,
            audit=f.audit_entry(),
        )
    with _queries_asked(dynamo_store) as asked:
        bookings = dynamo_store.list_bookings(event.id)
    assert [b.patron_name for b in bookings] == ["Adam", "Zoë", "Émile"]
    assert [b.version for b in bookings] == [1, 1, 1]
    assert [(q["ProjectionExpression"], q["ExpressionAttributeNames"]) for q in asked] == [
        ("#a0, #a1", {"#a0": "doc", "#a1": "version"})
    ]


def test_receipt_statuses_are_read_from_heads_and_from_the_docs_of_older_messages(
    dynamo_store: DynamoStore,
) -> None:
    """The roster's receipt-email column reads each message's ``head`` (its id, status,
    kind, creation and patron in one attribute), not its doc; a message stored before heads
    existed has only its doc, and the docs are read then, with the same answer."""
    from datetime import timedelta

    from shipcaptaincrew.domain import outbox as ob
    from tests import factories as f
    from tests.factories import T0
    from tests.storage.contract_outbox_latest import _booked, _msg, _write

    store = dynamo_store
    event = f.event_record()
    store.add_event(event, f.audit_entry())
    ann, bob = _booked(store, event), _booked(store, event)
    _write(store, ann, [_msg(ann, 10), _msg(ann, 20, ob.VOID)])
    _write(store, bob, [_msg(bob, 5), _msg(bob, 30, "reminder")])
    held = f"msg_0005_{ob.RECEIPT}_{bob.patron_id[-6:]}"
    later = T0 + timedelta(minutes=1)
    assert store.claim_outbox(now=later, lease_until=later, limit=1, ids=[held])
    key = {"PK": {"S": "OUTBOX"}, "SK": {"S": f"MSG#{held}"}}
    item = store._client.get_item(TableName=store.table, Key=key)["Item"]  # noqa: SLF001
    made = "2026-07-01T12:00:05.000000Z"
    assert item["head"] == {"S": f"{held}|sending|{ob.RECEIPT}|{made}|{bob.patron_id}"}
    expected = {ann.patron_id: ob.QUEUED, bob.patron_id: ob.SENDING}
    with _queries_asked(store) as asked:
        assert store.latest_outbox_status(event.id, [ob.RECEIPT, ob.VOID]) == expected
        assert store.latest_outbox_status(event.id, ["reminder"], bob.patron_id) == {
            bob.patron_id: ob.QUEUED
        }
        store._client.update_item(  # noqa: SLF001 - as an item written before heads
            TableName=store.table,
            Key=key,
            UpdateExpression="REMOVE #h",
            ExpressionAttributeNames={"#h": "head"},
        )
        assert store.latest_outbox_status(event.id, [ob.RECEIPT, ob.VOID]) == expected
    head = ("#h", {"#h": "head"})
    assert [(q.get("ProjectionExpression"), q.get("ExpressionAttributeNames")) for q in asked] == [
        head,
        head,
        head,
        ("doc", None),
    ]


def test_the_test_server_undoes_a_cancelled_transaction_of_many_items(
    dynamo_store: DynamoStore,
) -> None:
    """The tests' moto server copies a table once per transaction (``tests/moto_server.py``):
    a transaction whose last item fails its condition leaves the table exactly as it was,
    its earlier puts, update and delete on the same table undone; the same items without
    the failing one are all written."""
    import botocore.exceptions

    client, table = dynamo_store._client, dynamo_store.table  # noqa: SLF001

    def item(sk: str, n: int) -> dict:
        return {"PK": {"S": "T#undo"}, "SK": {"S": sk}, "n": {"N": str(n)}}

    def held() -> list[tuple[str, str]]:
        res = client.query(
            TableName=table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": "T#undo"}},
            ConsistentRead=True,
        )
        return [(i["SK"]["S"], i["n"]["N"]) for i in res["Items"]]

    client.put_item(TableName=table, Item=item("a", 1))
    client.put_item(TableName=table, Item=item("b", 2))
    key = {"PK": {"S": "T#undo"}}
    writes = [
        {"Put": {"TableName": table, "Item": item("c", 3)}},
        {
            "Update": {
                "TableName": table,
                "Key": {**key, "SK": {"S": "a"}},
                "UpdateExpression": "SET n = :n",
                "ExpressionAttributeValues": {":n": {"N": "10"}},
            }
        },
        {"Delete": {"TableName": table, "Key": {**key, "SK": {"S": "b"}}}},
        {"Put": {"TableName": table, "Item": item("d", 4)}},
    ]
    refused = {
        "Put": {
            "TableName": table,
            "Item": item("e", 5),
            "ConditionExpression": "attribute_exists(PK)",
        }
    }
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        client.transact_write_items(TransactItems=[*writes, refused])
    assert caught.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert held() == [("a", "1"), ("b", "2")]

    client.transact_write_items(TransactItems=writes)
    assert held() == [("a", "10"), ("c", "3"), ("d", "4")]
