"""Payment rules: settling a booking, the duplicate window, what may be logged."""

import dataclasses
from datetime import timedelta

import pytest

from shipcaptaincrew.domain import payments as pay
from shipcaptaincrew.domain.errors import Conflict, Invalid
from shipcaptaincrew.domain.models import BookingStatus, PaymentMethod
from tests import factories as f
from tests.factories import T0


def _booking(due: int = 9000):
    event = f.event_record(price_cents=due)
    return f.booking_record(event, f.patron_record())


def test_settle_partial_then_full() -> None:
    b = _booking()
    p1 = f.payment_record(b, 4000)
    half = pay.settle(b, [p1], now=T0)
    assert (half.amount_paid_cents, half.payment_cleared, half.cleared_at) == (4000, False, None)
    p2 = f.payment_record(b, 5000)
    full = pay.settle(half, [p1, p2], now=T0 + timedelta(minutes=1))
    assert (full.amount_paid_cents, full.payment_cleared) == (9000, True)
    assert full.cleared_at == T0 + timedelta(minutes=1)
    again = pay.settle(full, [p1, p2], now=T0 + timedelta(hours=1))
    assert again.cleared_at == T0 + timedelta(minutes=1)


def test_voided_payments_count_for_nothing_and_reopen() -> None:
    b = _booking()
    p = f.payment_record(b, 9000)
    cleared = pay.settle(b, [p], now=T0)
    voided = dataclasses.replace(p, voided_at=T0, void_reason="x")
    reopened = pay.settle(cleared, [voided], now=T0)
    assert (reopened.amount_paid_cents, reopened.payment_cleared, reopened.cleared_at) == (
        0,
        False,
        None,
    )


def test_comp_clears_whatever_is_left() -> None:
    b = _booking()
    comp = dataclasses.replace(f.payment_record(b, 0), method=PaymentMethod.COMP)
    assert pay.settle(b, [comp], now=T0).payment_cleared is True


def test_duplicate_window_is_sixty_seconds() -> None:
    b = _booking()
    p = f.payment_record(b, 4500)
    kw = {"amount_cents": 4500, "method": PaymentMethod.CASH}
    assert pay.find_recent_duplicate([p], now=T0 + timedelta(seconds=59), **kw) == p
    assert pay.find_recent_duplicate([p], now=T0 + timedelta(seconds=60), **kw) is None
    assert (
        pay.find_recent_duplicate([p], now=T0, amount_cents=4400, method=PaymentMethod.CASH) is None
    )
    voided = dataclasses.replace(p, voided_at=T0)
    assert pay.find_recent_duplicate([voided], now=T0, **kw) is None


def test_check_payment_request() -> None:
    b = _booking(1000)
    pay.check_payment_request(b, amount_cents=1000, method=PaymentMethod.CASH, currency="usd")
    with pytest.raises(Invalid):
        pay.check_payment_request(b, amount_cents=1001, method=PaymentMethod.CASH, currency=None)
    with pytest.raises(Invalid):
        pay.check_payment_request(b, amount_cents=100, method=PaymentMethod.CASH, currency="EUR")
    with pytest.raises(Invalid):
        pay.check_payment_request(b, amount_cents=0, method=PaymentMethod.CARD, currency=None)
    pay.check_payment_request(
        b, amount_cents=0, method=PaymentMethod.COMP, currency=None, note="crew guest"
    )
    with pytest.raises(Invalid):
        pay.check_payment_request(b, amount_cents=0, method=PaymentMethod.COMP, currency=None)
    cancelled = dataclasses.replace(b, status=BookingStatus.CANCELLED)
    with pytest.raises(Conflict):
        pay.check_payment_request(
            cancelled, amount_cents=10, method=PaymentMethod.CASH, currency=None
        )


def test_void_needs_reason_once() -> None:
    p = f.payment_record(_booking(), 100)
    assert pay.check_void(p, "  wrong card ") == "wrong card"
    with pytest.raises(Invalid):
        pay.check_void(p, " ")
    with pytest.raises(Conflict):
        pay.check_void(dataclasses.replace(p, voided_at=T0), "again")
