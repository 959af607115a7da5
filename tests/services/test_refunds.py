"""Refunds handed back (cash and other methods) through the use case on SQLite."""

from __future__ import annotations

import threading

import pytest

from shipcaptaincrew.domain.errors import Conflict, Forbidden, Invalid
from shipcaptaincrew.domain.models import PaymentMethod, Role
from shipcaptaincrew.services import payments, refunds
from shipcaptaincrew.services.payments import PaymentRequest
from tests import factories as f


def _paid(ctx, amount: int = 9000):
    admin = f.crew_fast(ctx, Role.ADMIN, "admin@example.org")
    captain = f.crew_fast(ctx, Role.CAPTAIN, "cap@example.org")
    deck = f.crew_fast(ctx, Role.CREW, "deck@example.org")
    event = f.event(ctx, admin, price_cents=4500)
    booking = f.booking(ctx, admin, event.id, party_size=2)
    req = PaymentRequest(booking.patron_id, amount, PaymentMethod.CASH)
    logged = payments.log_payment(ctx, by=deck, event_id=event.id, req=req)
    return captain, deck, logged.payment


def test_a_cash_refund_is_a_ledger_entry_that_reopens_the_balance(ctx) -> None:
    captain, _deck, payment = _paid(ctx)
    done = refunds.refund_payment(
        ctx, by=captain, payment_id=payment.id, amount_cents=2500, reason="  One stayed home "
    )
    refund = done.refund
    assert refund is not None
    assert (refund.amount_cents, refund.method, refund.refund_of, refund.note) == (
        -2500,
        PaymentMethod.CASH,
        payment.id,
        "One stayed home",
    )
    assert (refund.logged_by, refund.receipt_no) == (captain.id, 2)
    assert (done.booking.amount_paid_cents, done.booking.balance_cents) == (6500, 2500)
    assert done.booking.payment_cleared is False
    assert ctx.store.get_booking(payment.event_id, payment.patron_id) == done.booking
    [entry] = [e for e in ctx.store.list_audit() if e.action == "payment.refunded"]
    assert (entry.actor, entry.data["amount_cents"], entry.data["payment_id"]) == (
        f"crew:{captain.id}",
        2500,
        payment.id,
    )
    mails = [m for m in ctx.store.list_outbox() if m.payload["payment_id"] == refund.id]
    assert [(m.kind, m.payload["balance_cents"]) for m in mails] == [("payment_receipt", 2500)]


def test_never_more_refunded_than_paid(ctx) -> None:
    captain, deck, payment = _paid(ctx)
    with pytest.raises(Forbidden):
        refunds.refund_payment(ctx, by=deck, payment_id=payment.id, amount_cents=1, reason="x")
    with pytest.raises(Invalid, match="A reason is required"):
        refunds.refund_payment(ctx, by=captain, payment_id=payment.id, amount_cents=1, reason=" ")
    refunds.refund_payment(ctx, by=captain, payment_id=payment.id, amount_cents=6000, reason="a")
    with pytest.raises(Conflict) as err:
        refunds.refund_payment(
            ctx, by=captain, payment_id=payment.id, amount_cents=3001, reason="b"
        )
    assert err.value.details["refundable_cents"] == 3000
    last = refunds.refund_payment(
        ctx, by=captain, payment_id=payment.id, amount_cents=3000, reason="c"
    )
    assert (last.booking.amount_paid_cents, last.booking.payment_cleared) == (0, False)
    assert last.refund is not None
    with pytest.raises(Conflict, match="A refund cannot be refunded"):
        refunds.refund_payment(
            ctx, by=captain, payment_id=last.refund.id, amount_cents=1, reason="d"
        )


def test_concurrent_refunds_never_pass_what_was_paid(ctx) -> None:
    captain, _deck, payment = _paid(ctx)
    barrier = threading.Barrier(4)
    results: list[str] = []

    def refund() -> None:
        barrier.wait()
        try:
            refunds.refund_payment(
                ctx, by=captain, payment_id=payment.id, amount_cents=4000, reason="race"
            )
            results.append("refunded")
        except Conflict:
            results.append("refused")

    threads = [threading.Thread(target=refund) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["refunded", "refunded", "refused", "refused"]
    history = ctx.store.list_payments(payment.event_id, payment.patron_id)
    assert sorted(p.amount_cents for p in history) == [-4000, -4000, 9000]
    booking = ctx.store.get_booking(payment.event_id, payment.patron_id)
    assert booking is not None and booking.amount_paid_cents == 1000


def test_a_stripe_payment_without_stripe_configured_is_refused(ctx) -> None:
    captain, deck, _ = _paid(ctx, 4000)
    event_id = _.event_id
    req = PaymentRequest(_.patron_id, 5000, PaymentMethod.STRIPE, reference="pi_x")
    logged = payments.log_payment(ctx, by=deck, event_id=event_id, req=req)
    with pytest.raises(Conflict, match="Stripe is not set up here"):
        refunds.refund_payment(
            ctx, by=captain, payment_id=logged.payment.id, amount_cents=100, reason="x"
        )


def test_the_refund_email_and_receipt_say_refund(ctx) -> None:
    import io

    from pypdf import PdfReader

    from shipcaptaincrew.services.outbox import build_email

    captain, _deck, payment = _paid(ctx)
    done = refunds.refund_payment(
        ctx, by=captain, payment_id=payment.id, amount_cents=2500, reason="One stayed home"
    )
    assert done.refund is not None
    [message] = [m for m in ctx.store.list_outbox() if m.payload["payment_id"] == done.refund.id]
    mail = build_email(ctx, message)
    assert mail["Subject"] == "Refund: receipt 2 for Sunset Cruise"
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "has refunded $25.00 to you" in text
    assert "Still to pay: $25.00" in text
    [pdf] = [p for p in mail.iter_attachments()]
    page = PdfReader(io.BytesIO(pdf.get_content())).pages[0].extract_text()
    assert "Refund receipt no. 2" in page and "Refunded to" in page and "-$25.00" in page


def test_a_refunded_payment_is_voided_only_after_its_refunds(ctx) -> None:
    captain, _deck, payment = _paid(ctx)
    done = refunds.refund_payment(
        ctx, by=captain, payment_id=payment.id, amount_cents=2000, reason="x"
    )
    assert done.refund is not None
    with pytest.raises(Conflict, match="This payment has refunds: void them first."):
        payments.void_payment(ctx, by=captain, payment_id=payment.id, reason="typo")
    undone = payments.void_payment(ctx, by=captain, payment_id=done.refund.id, reason="typo")
    assert undone.booking.amount_paid_cents == 9000
    voided = payments.void_payment(ctx, by=captain, payment_id=payment.id, reason="typo")
    assert (voided.booking.amount_paid_cents, voided.booking.payment_cleared) == (0, False)
