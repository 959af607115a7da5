"""Events: list with counts, create, read, edit."""

from __future__ import annotations

from fastapi import APIRouter

from ...services import events
from ..deps import Crew, Ctx
from ..schemas import EventIn, EventListOut, EventOut, EventPatch
from .common import ERRORS, event_out

router = APIRouter(prefix="/events", tags=["events"], responses=ERRORS)


@router.get("", response_model=EventListOut)
def list_events(ctx: Ctx, crew: Crew) -> EventListOut:
    return EventListOut(events=[event_out(v.event, v.counts) for v in events.list_events(ctx)])


@router.post("", response_model=EventOut, status_code=201)
def create_event(body: EventIn, ctx: Ctx, crew: Crew) -> EventOut:
    view = events.create_event(
        ctx,
        by=crew,
        title=body.title,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        location=body.location,
        capacity=body.capacity,
        price_cents=body.price_cents,
        currency=body.currency,
        waiver_template_id=body.waiver_template_id,
    )
    return event_out(view.event, view.counts)


@router.get("/{event_id}", response_model=EventOut)
def get_event(event_id: str, ctx: Ctx, crew: Crew) -> EventOut:
    view = events.event_view(ctx, event_id=event_id)
    return event_out(view.event, view.counts)


@router.patch("/{event_id}", response_model=EventOut)
def update_event(event_id: str, body: EventPatch, ctx: Ctx, crew: Crew) -> EventOut:
    changes = body.model_dump(exclude_unset=True)
    nullable = {"ends_at", "capacity", "waiver_template_id"}
    changes = {k: v for k, v in changes.items() if v is not None or k in nullable}
    view = events.update_event(ctx, by=crew, event_id=event_id, changes=changes)
    return event_out(view.event, view.counts)
