"""Logging, replaying, batching and voiding payments through the use cases on SQLite."""

from __future__ import annotations

import pytest

from shipcaptaincrew.domain.errors import Conflict, Forbidden, Invalid
from shipcaptaincrew.domain.models import PaymentMethod, Role
from shipcaptaincrew.services import payments
from shipcaptaincrew.services.payments import PaymentRequest
from tests import factories as f


def _setup(ctx, party_size: int = 2):
    admin = f.crew_fast(ctx, Role.ADMIN, "admin@example.org")
    deck = f.crew_fast(ctx, Role.CREW, "deck@example.org")
    event = f.event(ctx, admin, price_cents=4500)
    booking = f.booking(ctx, admin, event.id, party_size=party_size)
    return admin, deck, event, booking


def _req(booking, amount: int | None, method=PaymentMethod.CASH, **kw) -> PaymentRequest:
    return PaymentRequest(patron_id=booking.patron_id, amount_cents=amount, method=method, **kw)


def test_partial_payments_add_up_and_clear_the_booking(ctx, clock) -> None:
    _, deck, event, booking = _setup(ctx)
    first = payments.log_payment(ctx, by=deck, event_id=event.id, req=_req(booking, 4000))
    assert (first.created, first.receipt_email) == (True, "queued")
    assert (first.booking.amount_paid_cents, first.booking.payment_cleared) == (4000, False)
    assert first.payment.receipt_no == 1
    clock.advance(seconds=5)
    second = payments.log_payment(ctx, by=deck, event_id=event.id, req=_req(booking, 5000))
    assert (second.booking.amount_paid_cents, second.booking.balance_cents) == (9000, 0)
    assert (second.booking.payment_cleared, second.booking.cleared_at) == (True, clock.now)
    assert second.payment.receipt_no == 2
    stored = ctx.store.get_booking(event.id, booking.patron_id)
    assert stored == second.booking
    entries = ctx.store.list_audit(patron_id=booking.patron_id)
    assert [e.action for e in entries[:2]] == ["payment.logged", "payment.logged"]
    assert entries[0].actor == f"crew:{deck.id}"
    assert entries[0].data["amount_paid_cents"] == 9000


def test_same_payment_within_a_minute_is_refused_without_a_key(ctx, clock) -> None:
    _, deck, event, booking = _setup(ctx)
    first = payments.log_payment(ctx, by=deck, event_id=event.id, req=_req(booking, 1000))
    clock.advance(seconds=59)
    with pytest.raises(Conflict) as err:
        payments.log_payment(ctx, by=deck, event_id=event.id, req=_req(booking, 1000))
    assert err.value.details["payment"]["id"] == first.payment.id
    clock.advance(seconds=2)
    again = payments.log_payment(ctx, by=deck, event_id=event.id, req=_req(booking, 1000))
    assert again.booking.amount_paid_cents == 2000


def test_idempotency_key_replays_the_first_result(ctx) -> None:
    _, deck, event, booking = _setup(ctx)
    first = payments.log_payment(
        ctx, by=deck, event_id=event.id, req=_req(booking, 1000), idempotency_key="k1"
    )
    replay = payments.log_payment(
        ctx, by=deck, event_id=event.id, req=_req(booking, 1000), idempotency_key="k1"
    )
    assert (replay.created, replay.payment, replay.booking) == (False, first.payment, first.booking)
    assert replay.receipt_email == "queued"
    assert len(ctx.store.list_payments(event.id, booking.patron_id)) == 1
    with pytest.raises(Conflict):
        payments.log_payment(
            ctx, by=deck, event_id=event.id, req=_req(booking, 2000), idempotency_key="k1"
        )


def test_over_the_balance_and_batch_all_or_nothing(ctx) -> None:
    admin, deck, event, booking = _setup(ctx, party_size=1)
    other = f.booking(ctx, admin, event.id, name="Other")
    with pytest.raises(Invalid):
        payments.log_payment(ctx, by=deck, event_id=event.id, req=_req(booking, 4501))
    with pytest.raises(Invalid) as err:
        payments.log_batch(
            ctx,
            by=deck,
            event_id=event.id,
            requests=[_req(booking, None), _req(other, 9999)],
        )
    assert err.value.details["patron_id"] == other.patron_id
    assert ctx.store.list_payments(event.id) == []
    logged = payments.log_batch(
        ctx, by=deck, event_id=event.id, requests=[_req(booking, None), _req(other, None)]
    )
    assert [(r.payment.amount_cents, r.booking.payment_cleared) for r in logged] == [
        (4500, True),
        (4500, True),
    ]


def test_void_reopens_the_balance_and_only_managers_void(ctx) -> None:
    admin, deck, event, booking = _setup(ctx, party_size=1)
    paid = payments.log_payment(ctx, by=deck, event_id=event.id, req=_req(booking, 4500))
    with pytest.raises(Forbidden):
        payments.void_payment(ctx, by=deck, payment_id=paid.payment.id, reason="typo")
    with pytest.raises(Invalid):
        payments.void_payment(ctx, by=admin, payment_id=paid.payment.id, reason=" ")
    voided = payments.void_payment(ctx, by=admin, payment_id=paid.payment.id, reason="typo")
    assert (voided.payment.void_reason, voided.payment.voided_by) == ("typo", admin.id)
    assert (voided.booking.amount_paid_cents, voided.booking.payment_cleared) == (0, False)
    status, history = payments.payment_status(ctx, event_id=event.id, patron_id=booking.patron_id)
    assert (status.balance_cents, [p.voided for p in history]) == (4500, [True])
    kinds = sorted(m.kind for m in ctx.store.list_outbox())
    assert kinds == ["payment_receipt", "payment_void"]
