"""Waiver kiosks (start, list, revoke: admins and captains) and crew's paper waiver for
one person of a party. The kiosk's own pages are under /g/kiosk/ (kiosk_pages.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from ...services import kiosk, seats
from ..deferred_route import DeferredRoute
from ..deps import Crew, Ctx
from ..schemas import BookingOut
from ..schemas_kiosk import KioskListOut, KioskOut, KioskStartOut
from .common import ERRORS, booking_out

router = APIRouter(
    route_class=DeferredRoute, prefix="/events/{event_id}", tags=["waivers"], responses=ERRORS
)

SeatNo = Annotated[int, Path(ge=1, le=50)]


@router.post("/kiosks", response_model=KioskStartOut, status_code=201)
def start_kiosk(event_id: str, ctx: Ctx, crew: Crew) -> KioskStartOut:
    started = kiosk.start_kiosk(ctx, by=crew, event_id=event_id)
    return KioskStartOut(
        kiosk=KioskOut.of(started.kiosk),
        token=started.token,
        url=f"{ctx.settings.public_url}{started.path}",
    )


@router.get("/kiosks", response_model=KioskListOut)
def list_kiosks(event_id: str, ctx: Ctx, crew: Crew) -> KioskListOut:
    found = kiosk.list_kiosks(ctx, by=crew, event_id=event_id)
    return KioskListOut(kiosks=[KioskOut.of(k) for k in found])


@router.post("/kiosks/{kiosk_id}/revoke", response_model=KioskOut)
def revoke_kiosk(event_id: str, kiosk_id: str, ctx: Ctx, crew: Crew) -> KioskOut:
    return KioskOut.of(kiosk.revoke_kiosk(ctx, by=crew, event_id=event_id, kiosk_id=kiosk_id))


@router.post("/{patron_id}/seats/{seat}/paper", response_model=BookingOut)
def paper_seat(event_id: str, patron_id: str, seat: SeatNo, ctx: Ctx, crew: Crew) -> BookingOut:
    view = seats.record_paper_seat(ctx, by=crew, event_id=event_id, patron_id=patron_id, no=seat)
    return booking_out(view, ctx.settings.public_url)
