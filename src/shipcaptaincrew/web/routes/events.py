"""Events: list with counts, create, read, edit."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from ...services import events
from ..deferred_route import DeferredRoute
from ..deps import Crew, Ctx
from ..schemas import (
    EventIn,
    EventListOut,
    EventOut,
    EventPatch,
    EventRosterListOut,
    EventRosterOut,
)
from .common import ERRORS, booking_out, event_out

router = APIRouter(route_class=DeferredRoute, prefix="/events", tags=["events"], responses=ERRORS)


@router.get("", response_model=EventListOut | EventRosterListOut)
def list_events(
    ctx: Ctx,
    crew: Crew,
    include: Annotated[Literal["roster"] | None, Query()] = None,
) -> EventListOut | Response:
    """Every event with its counts; ``include=roster`` adds each event's roster (the
    production-compatible form)."""
    views = events.list_events(ctx, with_roster=include == "roster")
    if include is None:
        return EventListOut(events=[event_out(v.event, v.counts) for v in views])
    url = ctx.settings.public_url
    out = EventRosterListOut.model_construct(
        events=[
            EventRosterOut.model_construct(
                **dict(event_out(v.event, v.counts)),
                roster=[booking_out(b, url) for b in v.roster or []],
            )
            for v in views
        ]
    )
    return Response(out.model_dump_json(), media_type="application/json")


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
        timezone=body.timezone,
    )
    return event_out(view.event, view.counts)


@router.get("/{event_id}", response_model=EventOut)
def get_event(event_id: str, ctx: Ctx, crew: Crew) -> EventOut:
    view = events.event_view(ctx, event_id=event_id)
    return event_out(view.event, view.counts)


@router.patch("/{event_id}", response_model=EventOut)
def update_event(event_id: str, body: EventPatch, ctx: Ctx, crew: Crew) -> EventOut:
    changes = body.model_dump(exclude_unset=True)
    nullable = {"ends_at", "capacity", "waiver_template_id", "timezone"}
    changes = {k: v for k, v in changes.items() if v is not None or k in nullable}
    view = events.update_event(ctx, by=crew, event_id=event_id, changes=changes)
    return event_out(view.event, view.counts)
