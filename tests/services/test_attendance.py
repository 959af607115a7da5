"""Check-in, undo and paper waivers through the use cases on SQLite."""

from __future__ import annotations

import pytest

from shipcaptaincrew.domain.errors import Conflict
from shipcaptaincrew.domain.models import EventStatus, PaymentMethod, Role, WaiverKind
from shipcaptaincrew.services import attendance, events, payments, roster
from shipcaptaincrew.services.payments import PaymentRequest
from tests import factories as f


def _setup(ctx):
    admin = f.crew_fast(ctx, Role.ADMIN, "admin@example.org")
    deck = f.crew_fast(ctx, Role.CREW, "deck@example.org")
    event = f.event(ctx, admin, capacity=1)
    booking = f.booking(ctx, admin, event.id)
    return admin, deck, event, booking


def test_check_in_and_undo_record_who_and_when_once(ctx, clock) -> None:
    _, deck, event, booking = _setup(ctx)
    args = dict(by=deck, event_id=event.id, patron_id=booking.patron_id)
    view = attendance.set_checked_in(ctx, checked_in=True, **args)
    assert (view.booking.checked_in_at, view.booking.checked_in_by) == (clock.now, deck.id)
    assert view.booking.version == 2
    same = attendance.set_checked_in(ctx, checked_in=True, **args)
    assert same.booking == view.booking
    clock.advance(minutes=1)
    undone = attendance.set_checked_in(ctx, checked_in=False, **args)
    assert (undone.booking.checked_in, undone.booking.version) == (False, 3)
    entries = ctx.store.list_audit(patron_id=booking.patron_id)
    assert [e.action for e in entries[:2]] == ["attendance.undone", "attendance.checked_in"]
    assert entries[0].data == {
        "checked_in": False,
        "previous_at": view.booking.checked_in_at.isoformat(),
    }


def test_answers_carry_the_receipt_email_status(ctx) -> None:
    _, deck, event, booking = _setup(ctx)
    payments.log_payment(
        ctx,
        by=deck,
        event_id=event.id,
        req=PaymentRequest(booking.patron_id, 4500, PaymentMethod.CASH),
    )
    view = attendance.set_checked_in(
        ctx, by=deck, event_id=event.id, patron_id=booking.patron_id, checked_in=True
    )
    assert (view.receipt_email, view.booking.ready) == ("queued", False)
    waiver = attendance.confirm_paper_waiver(
        ctx, by=deck, event_id=event.id, patron_id=booking.patron_id
    )
    assert (waiver.booking.waiver_kind, waiver.booking.waiver_by) == (WaiverKind.PAPER, deck.id)
    assert (waiver.receipt_email, waiver.booking.ready) == ("queued", True)


def test_waitlisted_or_cancelled_event_cannot_check_in(ctx) -> None:
    admin, deck, event, _ = _setup(ctx)
    late = f.booking(ctx, admin, event.id, name="Late")
    with pytest.raises(Conflict) as err:
        attendance.set_checked_in(
            ctx, by=deck, event_id=event.id, patron_id=late.patron_id, checked_in=True
        )
    assert err.value.details == {"status": "waitlisted"}
    roster.cancel_booking(ctx, by=admin, event_id=event.id, patron_id=late.patron_id)
    with pytest.raises(Conflict):
        attendance.confirm_paper_waiver(ctx, by=deck, event_id=event.id, patron_id=late.patron_id)
    events.update_event(ctx, by=admin, event_id=event.id, changes={"status": EventStatus.CANCELLED})
    with pytest.raises(Conflict):
        attendance.set_checked_in(
            ctx, by=deck, event_id=event.id, patron_id=late.patron_id, checked_in=True
        )
