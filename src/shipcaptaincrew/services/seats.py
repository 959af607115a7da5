"""A waiver per person: the booker names the party's seats, gets each seat its own signing
link, and crew record a paper waiver per seat. Signing itself is ``waivers.sign_waiver``."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from ..domain import bookings as rules
from ..domain import outbox as ob
from ..domain import seats as seat_rules
from ..domain.errors import Conflict, DuplicateKey, Invalid, NotFound
from ..domain.models import (
    Actor,
    ActorKind,
    Booking,
    CrewMember,
    Event,
    OutboxMessage,
    Seat,
    WaiverKind,
    new_id,
)
from ..domain.waivers import WaiverTemplate
from ..notify.base import SendError
from ..notify.messages import SeatLinkEmail, compose_seat_link
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


def email_seat_link(ctx: Context, *, token: str, no: int) -> Booking:
    """Email seat ``no`` its own signing link (made if new) at the address the booker gave
    for that person: the booking and an outbox message (kind ``seat_link``, at most one a
    minute per seat) with an audit entry, in one transaction; delivered after commit.
    Invalid when the seat has no email; Conflict when it already has a waiver, or its link
    was emailed less than a minute ago."""
    booking = booking_for_token(ctx, token=token)
    made: list[OutboxMessage] = []

    def decide(current: Booking) -> Change:
        rules.check_active(current)
        seat = seat_rules.seat_of(current, no)
        if not seat.email:
            raise Invalid("Please type this person's email first.", {"seat": no})
        updated = seat_rules.with_link(current, no, secrets.token_urlsafe(24))
        now = ctx.now()
        minute = int(now.timestamp()) // 60
        message = OutboxMessage(
            id=new_id("msg"),
            dedup_key=f"{ob.SEAT_LINK}:{current.event_id}:{current.patron_id}:{no}:{minute}",
            kind=ob.SEAT_LINK,
            to=seat.email,
            payload={"seat": no},
            created_at=now,
            next_attempt_at=now,
            event_id=current.event_id,
            patron_id=current.patron_id,
        )
        made[:] = [message]
        write = functools.partial(ctx.store.update_booking, outbox=[message])
        return Change(updated, "seat.link_emailed", {"seat": no, "to": seat.email}, write=write)

    try:
        stored = change_booking(
            ctx,
            actor=_guest(booking),
            event_id=booking.event_id,
            patron_id=booking.patron_id,
            decide=decide,
        )
    except DuplicateKey:
        raise Conflict("The link was emailed a moment ago.", {"seat": no}) from None
    ctx.after_commit(made)
    return stored


def seat_link_email(ctx: Context, message: OutboxMessage) -> EmailMessage:
    """The MIME message of a ``seat_link`` outbox message, from the current booking (its
    link as it is now). Changes nothing; SendError (permanent) once there is nothing to
    send (no booking, or the seat is signed)."""
    no = int(message.payload.get("seat", 0))
    booking = ctx.store.get_booking(message.event_id or "", message.patron_id or "")
    if booking is None or not 1 <= no <= booking.party_size:
        raise SendError("The booking of this message does not exist", permanent=True)
    seat = seat_rules.seat_of(booking, no)
    if not seat.link_secret or not seat_rules.needs_signing(booking, seat):
        raise SendError("This person's waiver is already signed", permanent=True)
    event = get_event(ctx, event_id=booking.event_id)
    when = event.starts_at.astimezone(ctx.settings.tz).strftime("%A %d %B %Y, %H:%M")
    return compose_seat_link(
        SeatLinkEmail(
            org_name=ctx.settings.org_name,
            to_name=seat.name or f"Person {no}",
            to_email=message.to,
            booker_name=booking.patron_name,
            event_title=event.title,
            event_date=f"{when} ({ctx.settings.timezone})",
            link=f"{ctx.settings.public_url}{seat_path(booking, seat)}",
            mail_from=ctx.settings.mail_from,
            reply_to=ctx.settings.mail_reply_to,
            message_id=message.id,
            created_at=message.created_at,
        )
    )
