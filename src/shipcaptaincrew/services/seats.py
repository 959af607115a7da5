"""A waiver per person: the booker names the party's seats, gets each seat its own signing
link, and crew record a paper waiver per seat. Signing itself is ``waivers.sign_waiver``."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..domain import bookings as rules
from ..domain import seats as seat_rules
from ..domain.errors import NotFound
from ..domain.models import Actor, ActorKind, Booking, CrewMember, Event, Seat, WaiverKind
from ..domain.waivers import WaiverTemplate
from .access import actor_of
from .bookings import Change, change_booking
from .context import Context
from .events import get_event
from .views import BookingView, booking_view
from .waivers import SignRequest, booking_for_token, event_template, sign_waiver


def _guest(booking: Booking) -> Actor:
    return Actor(ActorKind.GUEST, booking.patron_id, booking.patron_name)


def seat_path(booking: Booking, seat: Seat) -> str:
    """The seat's own signing page (its secret is the credential)."""
    return f"/g/seat/{booking.event_id}/{booking.patron_id}/{seat.no}/{seat.link_secret}"


def name_seats(ctx: Context, *, token: str, people: Sequence[seat_rules.Person]) -> Booking:
    """The booker (by guest link) enters each person's name, whether a minor, and email.
    Writes the booking and an audit entry (actor: the guest) when anything changed; signed
    seats keep what they were signed with. Invalid for bad input; Conflict on a cancelled
    booking."""
    booking = booking_for_token(ctx, token=token)

    def decide(current: Booking) -> Change | None:
        rules.check_active(current)
        updated = seat_rules.named(current, people)
        if updated.seats == current.seats:
            return None
        names = [{"seat": s.no, "name": s.name, "minor": s.minor} for s in updated.seats]
        return Change(updated, "seats.named", {"seats": names})

    return change_booking(
        ctx,
        actor=_guest(booking),
        event_id=booking.event_id,
        patron_id=booking.patron_id,
        decide=decide,
    )


def seat_link(ctx: Context, *, token: str, no: int) -> str:
    """Seat ``no``'s own signing link (a path), made on first ask: 192 random bits stored on
    the seat, with an audit entry. Conflict when the seat already has a waiver; NotFound
    for no such seat."""
    booking = booking_for_token(ctx, token=token)

    def decide(current: Booking) -> Change | None:
        rules.check_active(current)
        updated = seat_rules.with_link(current, no, secrets.token_urlsafe(24))
        if updated is current:
            return None
        return Change(updated, "seat.link_made", {"seat": no})

    stored = change_booking(
        ctx,
        actor=_guest(booking),
        event_id=booking.event_id,
        patron_id=booking.patron_id,
        decide=decide,
    )
    return seat_path(stored, seat_rules.seat_of(stored, no))


@dataclass(frozen=True)
class SeatView:
    """What a seat's own signing page shows: the event, the person and the waiver text."""

    org_name: str
    timezone: str
    event: Event
    starts_at: datetime
    booking: Booking
    seat: Seat
    template: WaiverTemplate | None

    @property
    def cannot_sign_reason(self) -> str:
        if self.event.status.value == "cancelled":
            return "This event is cancelled."
        if self.booking.status.value == "cancelled":
            return "This booking is cancelled."
        if not seat_rules.needs_signing(self.booking, self.seat):
            return "A waiver is already on file for this person."
        if self.template is None:
            return "This event has no online waiver."
        return ""

    @property
    def can_sign(self) -> bool:
        return not self.cannot_sign_reason

    @property
    def label(self) -> str:
        return self.seat.name or f"Person {self.seat.no}"


def seat_view(ctx: Context, *, booking: Booking, no: int) -> SeatView:
    """The signing page of seat ``no`` of ``booking``, or NotFound. Changes nothing."""
    event = get_event(ctx, event_id=booking.event_id)
    return SeatView(
        org_name=ctx.settings.org_name,
        timezone=ctx.settings.timezone,
        event=event,
        starts_at=event.starts_at.astimezone(ctx.settings.tz),
        booking=booking,
        seat=seat_rules.seat_of(booking, no),
        template=event_template(ctx, event),
    )


def booking_for_seat_link(
    ctx: Context, *, event_id: str, patron_id: str, no: int, secret: str
) -> Booking:
    """The booking whose seat ``no`` has this signing-link secret, or NotFound (also once
    the seat is signed: the link is spent). Changes nothing."""
    booking = ctx.store.get_booking(event_id, patron_id) if len(secret) >= 16 else None
    if booking is None or seat_rules.seat_for_link(booking, no, secret) is None:
        raise NotFound("No such signing link.")
    return booking


def record_paper_seat(
    ctx: Context, *, by: CrewMember, event_id: str, patron_id: str, no: int
) -> BookingView:
    """Crew record a signed paper waiver for one person of the party. Writes the booking
    (its waiver complete when that was the last seat) and an audit entry. Conflict when
    that person already has a waiver or the booking is cancelled; NotFound for no seat."""
    rules.check_open(get_event(ctx, event_id=event_id))
    actor = actor_of(by)

    def decide(current: Booking) -> Change:
        rules.check_active(current)
        updated = seat_rules.signed(current, no=no, kind=WaiverKind.PAPER, at=ctx.now(), by=by.id)
        return Change(
            updated,
            "waiver.paper_confirmed",
            {"kind": "paper", "seat": no, "complete": updated.waiver_signed},
        )

    booking = change_booking(
        ctx, actor=actor, event_id=event_id, patron_id=patron_id, decide=decide
    )
    return booking_view(ctx, booking)


def sign_by_seat_link(
    ctx: Context,
    *,
    event_id: str,
    patron_id: str,
    no: int,
    secret: str,
    req: SignRequest,
    ip: str,
    user_agent: str,
) -> Booking:
    """Sign the one seat a seat link is for: as ``waivers.sign_waiver`` (signature, seat,
    audit entry, one transaction; the link is spent). NotFound for a wrong link."""
    booking = booking_for_seat_link(
        ctx, event_id=event_id, patron_id=patron_id, no=no, secret=secret
    )
    signed, _signature = sign_waiver(
        ctx, booking=booking, req=req, ip=ip, user_agent=user_agent, seat=no, via="seat link"
    )
    return signed
