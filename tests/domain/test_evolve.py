"""``models.evolve``: the hot paths' ``dataclasses.replace``, the same record made cheaper."""

from __future__ import annotations

import dataclasses
import inspect
from datetime import UTC, datetime

import pytest

from shipcaptaincrew.domain import models
from shipcaptaincrew.domain.models import Booking, Payment, WaiverKind, evolve
from tests import factories as f

RECORDS = [
    cls
    for _, cls in inspect.getmembers(models, inspect.isclass)
    if dataclasses.is_dataclass(cls) and cls.__module__ == models.__name__
]


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_records_compute_nothing_when_made(cls: type) -> None:
    """What ``evolve`` skips (the generated ``__init__``) must do nothing but set fields."""
    assert not hasattr(cls, "__post_init__")
    assert not hasattr(cls, "__slots__")
    for field in dataclasses.fields(cls):
        assert field.init, f"{cls.__name__}.{field.name} is not set by __init__"
        assert not isinstance(field.type, dataclasses.InitVar)


def _booking() -> Booking:
    return f.booking_record(f.event_record(), f.patron_record())


def test_evolve_gives_what_replace_gives() -> None:
    booking = _booking()
    at = datetime(2030, 7, 1, 9, 30, tzinfo=UTC)
    changes = {"checked_in_at": at, "checked_in_by": "crw_1", "waiver_kind": WaiverKind.PAPER}
    made = evolve(booking, **changes)
    expected = dataclasses.replace(booking, **changes)
    assert made == expected
    assert type(made) is Booking
    assert vars(made) == vars(expected)
    payment = f.payment_record(booking)
    numbered = evolve(payment, receipt_no=7)
    assert numbered == dataclasses.replace(payment, receipt_no=7)
    assert hash(numbered) == hash(dataclasses.replace(payment, receipt_no=7))


def test_evolve_leaves_the_record_as_it_was_and_frozen() -> None:
    booking = _booking()
    before = vars(booking).copy()
    made = evolve(booking, version=booking.version + 1)
    assert vars(booking) == before
    assert made.version == booking.version + 1
    assert made is not booking
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.version = 9  # type: ignore[misc]


def test_evolve_refuses_a_name_that_is_no_field() -> None:
    booking = _booking()
    with pytest.raises(TypeError, match="Booking has no field 'checked_in'"):
        evolve(booking, checked_in=True)
    payment: Payment = f.payment_record(booking)
    with pytest.raises(TypeError, match="Payment has no field 'amount'"):
        evolve(payment, amount=5, receipt_no=1)
