"""Live sync: Server-Sent Events on the local server, and the changes since a cursor
(304 when nothing changed) for phones that poll, as they do on Lambda."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from ...domain.errors import NotFound
from ...services import live
from ...services.events import get_event
from ..deferred_route import DeferredRoute
from ..deps import Crew, Ctx, signed_crew
from ..schemas import ChangesOut
from ..store_work import store_work
from .common import ERRORS, booking_out

router = APIRouter(
    route_class=DeferredRoute, prefix="/events/{event_id}", tags=["live"], responses=ERRORS
)

Cursor = Annotated[str, Query(min_length=1, max_length=64)]
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Nothing changed since the cursor (no body)"}
}


@router.get("/changes", response_model=ChangesOut, responses=NOT_MODIFIED)
async def get_changes(event_id: str, since: Cursor, request: Request) -> Response:
    ctx, _crew = await signed_crew(request)  # every phone on the dock polls this
    found = await store_work(ctx, live.changes, ctx, event_id=event_id, since=since)
    if found is None:
        return Response(status_code=304)
    url = ctx.settings.public_url
    out = ChangesOut(
        cursor=found.cursor,
        reload=found.reload,
        roster=[booking_out(b, url) for b in found.bookings],
        credit=found.credit,
    )
    return Response(out.model_dump_json(), media_type="application/json")


@router.get(
    "/live",
    responses={200: {"description": "Server-Sent Events: `change` with the new cursor"}},
    response_class=StreamingResponse,
)
async def stream_changes(event_id: str, request: Request, ctx: Ctx, crew: Crew) -> Response:
    if not ctx.settings.live_stream:
        raise NotFound(
            "Live updates are not streamed here: poll the roster's changes instead.",
            {"event_id": event_id},
        )
    await run_in_threadpool(get_event, ctx, event_id=event_id)  # an unknown event: 404
    hub = request.app.state.live

    async def events() -> AsyncIterator[str]:
        yield "retry: 2000\n\n"
        async for marker in hub.markers(event_id):
            yield f"event: change\ndata: {marker}\n\n" if marker else ": still here\n\n"

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)
