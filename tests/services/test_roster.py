"""Booking, waitlisting, promoting and cancelling through the use cases on SQLite."""

from __future__ import annotations

import pytest

from shipcaptaincrew.domain.errors import Conflict, DuplicateKey, Forbidden, Invalid
from shipcaptaincrew.domain.models import BookingStatus, Role
from shipcaptaincrew.services import roster
from tests import factories as f


def _setup(ctx, capacity: int = 3):
    admin = f.crew_fast(ctx, Role.ADMIN, "admin@example.org")
    event = f.event(ctx, admin, capacity=capacity, price_cents=2000)
    return admin, event


def test_add_patron_matches_email_case_insensitively(ctx) -> None:
    admin, event = _setup(ctx)
    b = roster.add_patron(
        ctx, by=admin, event_id=event.id, name=" Ada ", email=" Ada@Example.ORG ", party_size=2
    )
    assert (b.patron_name, b.patron_email, b.amount_due_cents, b.status) == (
        "Ada",
        "ada@example.org",
        4000,
        BookingStatus.BOOKED,
    )
    with pytest.raises(DuplicateKey) as err:
        roster.add_patron(ctx, by=admin, event_id=event.id, name="Ada", email="ADA@example.org")
    assert err.value.details == {"patron_id": b.patron_id, "email": "ada@example.org"}
    other = f.event(ctx, admin)
    again = roster.add_patron(ctx, by=admin, event_id=other.id, name="A", email="ada@EXAMPLE.org")
    assert again.patron_id == b.patron_id
    with pytest.raises(Invalid):
        roster.add_patron(ctx, by=admin, event_id=event.id, name="X", email="not-an-address")


def test_waitlist_promote_when_a_place_frees_and_cancel(ctx) -> None:
    admin, event = _setup(ctx, capacity=3)
    first = f.booking(ctx, admin, event.id, name="First", party_size=2)
    late = f.booking(ctx, admin, event.id, name="Late", party_size=2)
    assert (first.status, late.status) == (BookingStatus.BOOKED, BookingStatus.WAITLISTED)
    with pytest.raises(Conflict) as err:
        roster.promote_booking(ctx, by=admin, event_id=event.id, patron_id=late.patron_id)
    assert err.value.details == {"places_booked": 2, "capacity": 3, "party_size": 2}
    cancelled = roster.cancel_booking(
        ctx, by=admin, event_id=event.id, patron_id=first.patron_id, reason=" ill "
    )
    assert (cancelled.booking.status, cancelled.receipt_email) == (BookingStatus.CANCELLED, None)
    promoted = roster.promote_booking(ctx, by=admin, event_id=event.id, patron_id=late.patron_id)
    assert (promoted.booking.status, promoted.booking.version) == (BookingStatus.BOOKED, 2)
    with pytest.raises(Conflict):
        roster.promote_booking(ctx, by=admin, event_id=event.id, patron_id=late.patron_id)
    actions = [e.action for e in ctx.store.list_audit(event_id=event.id)]
    assert actions[:2] == ["booking.promoted", "booking.cancelled"]
    assert ctx.store.list_audit(patron_id=first.patron_id)[0].data == {
        "reason": "ill",
        "from": "booked",
    }


def test_roster_view_counts_and_roles(ctx) -> None:
    admin, event = _setup(ctx, capacity=10)
    deck = f.crew_fast(ctx, Role.CREW, "deck@example.org")
    f.booking(ctx, admin, event.id, name="Zed", party_size=3)
    f.booking(ctx, admin, event.id, name="Amy")
    view = roster.roster(ctx, event_id=event.id)
    assert [b.booking.patron_name for b in view.bookings] == ["Amy", "Zed"]
    assert (view.counts.booked, view.counts.places, view.counts.amount_due_cents) == (2, 4, 8000)
    assert [b.receipt_email for b in view.bookings] == [None, None]
    with pytest.raises(Forbidden):
        roster.add_patron(ctx, by=deck, event_id=event.id, name="X", email="x@example.org")
