"""The store contract on DynamoDB (moto's server mode on a local port, a fresh table per test)."""

import pytest

from shipcaptaincrew.storage.dynamodb import DynamoStore
from tests.storage.contract import StoreContract


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
    asked: list[dict] = []
    events = dynamo_store._client.meta.events  # noqa: SLF001
    events.register(
        "provide-client-params.dynamodb.Query", lambda params, **_: asked.append(params)
    )
    try:
        bookings = dynamo_store.list_bookings(event.id)
    finally:
        events.unregister("provide-client-params.dynamodb.Query")
    assert [b.patron_name for b in bookings] == ["Adam", "Zoë", "Émile"]
    assert [b.version for b in bookings] == [1, 1, 1]
    assert [(q["ProjectionExpression"], q["ExpressionAttributeNames"]) for q in asked] == [
        ("#a0, #a1", {"#a0": "doc", "#a1": "version"})
    ]
