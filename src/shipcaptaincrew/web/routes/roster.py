"""Roster, attendance, paper waivers and cancellations."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ...domain import bookings as rules
from ...services import attendance, roster
from ...services.outbox import receipt_email_status
from ..deps import Crew, Ctx
from ..schemas import AttendanceIn, BookingOut, CancelIn, RosterIn, RosterOut, WaiverIn, WaiverOut
from .common import ERRORS, counts_out, event_out

router = APIRouter(prefix="/events/{event_id}", tags=["roster"], responses=ERRORS)


@router.get("/roster", response_model=RosterOut)
def get_roster(event_id: str, ctx: Ctx, crew: Crew) -> Response:
    event, bookings = roster.roster(ctx, event_id=event_id)
    counts = rules.count(bookings)
    url = ctx.settings.public_url
    emails = receipt_email_status(ctx, event_id=event_id)
    out = RosterOut.model_construct(
        event=event_out(event, counts),
        counts=counts_out(counts),
        roster=[BookingOut.of(b, url, emails.get(b.patron_id)) for b in bookings],
    )
    # Serialised once here: returning the model would make FastAPI validate 500 entries again.
    return Response(out.model_dump_json(), media_type="application/json")


@router.post("/roster", response_model=BookingOut, status_code=201)
def add_to_roster(event_id: str, body: RosterIn, ctx: Ctx, crew: Crew) -> BookingOut:
    booking = roster.add_patron(
        ctx,
        by=crew,
        event_id=event_id,
        name=body.name,
        email=body.email,
        phone=body.phone,
        party_size=body.party_size,
    )
    return BookingOut.of(booking, ctx.settings.public_url)


@router.post("/{patron_id}/cancel", response_model=BookingOut)
def cancel(event_id: str, patron_id: str, body: CancelIn, ctx: Ctx, crew: Crew) -> BookingOut:
    booking = roster.cancel_booking(
        ctx, by=crew, event_id=event_id, patron_id=patron_id, reason=body.reason
    )
    return BookingOut.of(booking, ctx.settings.public_url)


@router.post("/{patron_id}/promote", response_model=BookingOut)
def promote(event_id: str, patron_id: str, ctx: Ctx, crew: Crew) -> BookingOut:
    booking = roster.promote_booking(ctx, by=crew, event_id=event_id, patron_id=patron_id)
    return BookingOut.of(booking, ctx.settings.public_url)


@router.post("/{patron_id}/attendance", response_model=BookingOut)
def set_attendance(
    event_id: str, patron_id: str, body: AttendanceIn, ctx: Ctx, crew: Crew
) -> BookingOut:
    booking = attendance.set_checked_in(
        ctx, by=crew, event_id=event_id, patron_id=patron_id, checked_in=body.checked_in
    )
    return BookingOut.of(booking, ctx.settings.public_url)


def _waiver_out(booking: roster.Booking, url: str) -> WaiverOut:
    return WaiverOut(
        waiver_signed=booking.waiver_signed,
        kind=booking.waiver_kind.value if booking.waiver_kind else None,
        at=booking.waiver_at,
        by=booking.waiver_by,
        booking=BookingOut.of(booking, url),
    )


@router.get("/{patron_id}/waiver", response_model=WaiverOut)
def get_waiver(event_id: str, patron_id: str, ctx: Ctx, crew: Crew) -> WaiverOut:
    booking = roster.get_booking(ctx, event_id=event_id, patron_id=patron_id)
    return _waiver_out(booking, ctx.settings.public_url)


@router.post("/{patron_id}/waiver", response_model=WaiverOut)
def confirm_waiver(
    event_id: str, patron_id: str, body: WaiverIn, ctx: Ctx, crew: Crew
) -> WaiverOut:
    booking = attendance.confirm_paper_waiver(ctx, by=crew, event_id=event_id, patron_id=patron_id)
    return _waiver_out(booking, ctx.settings.public_url)
