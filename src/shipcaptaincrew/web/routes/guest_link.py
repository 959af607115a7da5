"""Crew give a patron their guest link again: by email, or as a QR code on screen."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ...services import guest_link
from ..deferred_route import DeferredRoute
from ..deps import Crew, Ctx
from ..schemas import OutboxOut
from .common import ERRORS
from .outbox import outbox_out

router = APIRouter(
    route_class=DeferredRoute,
    prefix="/events/{event_id}/{patron_id}",
    tags=["roster"],
    responses=ERRORS,
)


@router.post("/send-link", response_model=OutboxOut, status_code=201)
def send_link(event_id: str, patron_id: str, ctx: Ctx, crew: Crew) -> OutboxOut:
    """Email the patron their guest link; 409 (with ``retry_at``) within a minute of the
    last one."""
    message = guest_link.send_link(ctx, by=crew, event_id=event_id, patron_id=patron_id)
    return outbox_out(message)


@router.get(
    "/link.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "The QR code"}},
)
def link_qr(event_id: str, patron_id: str, ctx: Ctx, crew: Crew) -> Response:
    """The patron's guest link as a QR code (SVG) to show on a crew member's screen."""
    svg = guest_link.link_qr_svg(ctx, by=crew, event_id=event_id, patron_id=patron_id)
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})
