"""Settlement plan rules: moving a party, waivers that carry, the stored JSON form."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from shipcaptaincrew.domain import settlements as rules
from shipcaptaincrew.domain.errors import Conflict, Invalid
from shipcaptaincrew.domain.models import BookingStatus, EventStatus, Seat, WaiverKind
from tests import factories as f
from tests.factories import T0


def _party():
    event = f.event_record()
    booking = dataclasses.replace(
        f.booking_record(event, f.patron_record(), party_size=2),
        amount_paid_cents=9000,
        payment_cleared=True,
        checked_in_at=T0,
        seats=(
            Seat(1, "Kim"),
            Seat(2, "Lou", minor=True, waiver_kind=WaiverKind.ELECTRONIC, signature_id="wvs_1"),
        ),
    )
    return event, booking


def test_a_moved_booking_keeps_its_seats_and_starts_unpaid_on_the_target() -> None:
    event, booking = _party()
    target = dataclasses.replace(f.event_record(price_cents=6000), id="evt_target")
    moved = rules.moved_booking(
        booking, target, token="tok", now=T0, reprice=True, keep_waivers=True
    )
    assert (moved.event_id, moved.amount_due_cents, moved.amount_paid_cents) == (
        "evt_target",
        12000,
        0,
    )
    assert (moved.status, moved.checked_in_at, moved.guest_token) == (
        BookingStatus.BOOKED,
        None,
        "tok",
    )
    assert moved.seats == booking.seats
    kept = rules.moved_booking(
        booking, target, token="t", now=T0, reprice=False, keep_waivers=False
    )
    assert kept.amount_due_cents == booking.amount_due_cents
    assert [s.signed for s in kept.seats] == [False, False]
    assert [s.minor for s in kept.seats] == [False, True]


def test_waivers_carry_only_under_the_same_template_version() -> None:
    assert rules.waivers_carry("wvt_1", "wvt_1", 2, [2, 2])
    assert not rules.waivers_carry("wvt_1", "wvt_1", 3, [2])
    assert not rules.waivers_carry("wvt_1", "wvt_2", 1, [1])
    assert rules.waivers_carry(None, None, None, [])


def test_a_target_must_be_open_in_the_same_currency_with_room() -> None:
    event, booking = _party()
    target = dataclasses.replace(f.event_record(capacity=10), id="evt_t")
    rules.check_target(event, target, booking, 8)
    with pytest.raises(Conflict, match="no room"):
        rules.check_target(event, target, booking, 9)
    with pytest.raises(Invalid):
        rules.check_target(event, event, booking, 0)
    with pytest.raises(Conflict):
        rules.check_target(
            event, dataclasses.replace(target, status=EventStatus.CANCELLED), booking, 0
        )
    with pytest.raises(Invalid):
        rules.check_target(event, dataclasses.replace(target, currency="EUR"), booking, 0)


def test_a_plan_round_trips_through_its_json_form() -> None:
    step = rules.Step(
        "pat_1",
        "Ann",
        2,
        "booked",
        rules.MOVE,
        "evt_2",
        True,
        rules.DONE,
        T0,
        "",
        {"carried": 4500, "requested": {"pay_1": {"cents": 1}}},
        rules.ACCEPTED,
    )
    plan = rules.Plan(
        id="pln_1", event_id="evt_1", kind=rules.SHIFT, reason="Tide", message="Hi\nthere",
        created_at=T0, created_by="crew:c1", created_by_name="Cap", steps=(step,),
        credit_expires_at=T0 + timedelta(days=1), new_starts_at=T0, old_starts_at=T0, version=3,
    )  # fmt: skip
    assert rules.plan_from_json(rules.plan_to_json(plan)) == plan
    pending = dataclasses.replace(step, state=rules.PENDING)
    assert (
        rules.with_step(dataclasses.replace(plan, steps=(pending,)), step, now=T0).finished_at == T0
    )
    with pytest.raises(Invalid):
        rules.clean_text("a\x00b", "reason", required=True)
