"""Headcount: persons aboard and back per party, the captain's passenger list (JSON, a
printable page and PDF), and closing an event while someone is still out.

The printable page is rendered here, under /api like the PDF, so it is signed in by the
same session cookie (or bearer token) and CloudFront sends it to the app; its stylesheet
and print button come from /g/assets, which the app serves too."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse

from ...services import headcount
from ..deferred_route import DeferredRoute
from ..deps import Crew, Ctx
from ..schemas import BookingOut, CloseIn, EventOut, HeadcountIn, PassengerOut, PassengersOut
from .common import ERRORS, booking_out, event_out
from .guest import page_html

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
                patron_id=p.booking.patron_id,
                name=p.booking.patron_name,
                phone=p.booking.patron_phone,
                party_size=p.booking.party_size,
                aboard=p.booking.aboard,
                returned=p.booking.returned,
                still_out=p.still_out,
                notes=list(p.notes),
            )
            for p in found.parties
        ],
    )


@router.get(
    "/passengers.html",
    response_class=Response,  # errors stay JSON in the schema, as for the PDF
    responses={200: {"content": {"text/html": {}}, "description": "The passenger list page"}},
)
def passengers_page(event_id: str, ctx: Ctx, crew: Crew) -> Response:
    found = headcount.passengers(ctx, event_id=event_id)
    html = page_html(
        "passengers.html",
        sheet=found,
        org_name=ctx.settings.org_name,
        tz=ctx.settings.tz,
        pdf_url=f"/api/events/{quote(found.event.id, safe='')}/passengers.pdf",
    )
    return HTMLResponse(html)  # no-store, as every /api answer (web/middleware.py)


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
