"""Headcount: persons aboard and back per party, the captain's passenger list (JSON and
PDF), and closing an event while someone is still out."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ...services import headcount
from ..deferred_route import DeferredRoute
from ..deps import Crew, Ctx
from ..schemas import BookingOut, CloseIn, EventOut, HeadcountIn, PassengerOut, PassengersOut
from .common import ERRORS, booking_out, event_out

router = APIRouter(
    route_class=DeferredRoute, prefix="/events/{event_id}", tags=["headcount"], responses=ERRORS
)


@router.post("/{patron_id}/headcount", response_model=BookingOut)
def set_headcount(
    event_id: str, patron_id: str, body: HeadcountIn, ctx: Ctx, crew: Crew
) -> BookingOut:
    view = headcount.set_headcount(
        ctx,
        by=crew,
        event_id=event_id,
        patron_id=patron_id,
        aboard=body.aboard,
        returned=body.returned,
        occurred_at=body.occurred_at,
    )
    return booking_out(view, ctx.settings.public_url)


@router.get("/passengers", response_model=PassengersOut)
def passengers(event_id: str, ctx: Ctx, crew: Crew) -> PassengersOut:
    found = headcount.passengers(ctx, event_id=event_id)
    return PassengersOut(
        event_id=found.event.id,
        title=found.event.title,
        generated_at=found.generated_at,
        aboard=found.aboard,
        returned=found.returned,
        still_out=found.still_out,
        passengers=[
            PassengerOut(
                patron_id=b.patron_id,
                name=b.patron_name,
                phone=b.patron_phone,
                party_size=b.party_size,
                aboard=b.aboard,
                returned=b.returned,
                still_out=b.aboard - b.returned,
            )
            for b in found.bookings
        ],
    )


@router.get(
    "/passengers.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The passenger list"}},
)
def passengers_pdf(event_id: str, ctx: Ctx, crew: Crew) -> Response:
    pdf = headcount.passenger_pdf(ctx, event_id=event_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="passengers.pdf"'},
    )


@router.post("/close", response_model=EventOut)
def close_event(event_id: str, body: CloseIn, ctx: Ctx, crew: Crew) -> EventOut:
    view = headcount.close_event(ctx, by=crew, event_id=event_id, reason=body.reason)
    return event_out(view.event, view.counts)
