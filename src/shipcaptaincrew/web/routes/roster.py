"""Roster, attendance, paper waivers and cancellations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from starlette.concurrency import run_in_threadpool

from ...domain.models import AuditEntry
from ...services import attendance, live, roster
from ...services.context import Context
from ...services.views import BookingView, RosterView
from ..deferred_route import DeferredRoute
from ..deps import Crew, Ctx, signed_crew
from ..roster_cache import GZIP_MINIMUM, Kept, RosterCache
from ..schemas import AttendanceIn, BookingOut, CancelIn, RosterIn, RosterOut, WaiverIn, WaiverOut
from ..store_work import store_work
from .common import ERRORS, booking_out, counts_out, event_out

router = APIRouter(
    route_class=DeferredRoute, prefix="/events/{event_id}", tags=["roster"], responses=ERRORS
)

# A repeat of a check-in or paper waiver with the same key changes nothing (offline replay).
IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)
]


def _etag(header: str | None) -> str | None:
    """The marker in an If-None-Match header ("aud_1", W/"aud_1"; the first of a list)."""
    if not header:
        return None
    first = header.split(",")[0].strip()
    return first.removeprefix("W/").strip('"') or None


@router.get(
    "/roster",
    response_model=RosterOut,
    responses={304: {"description": "Unchanged since the ETag sent in If-None-Match"}},
)
async def get_roster(
    event_id: str,
    request: Request,
    if_none_match: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    ctx, _crew = await signed_crew(request)
    rosters: RosterCache = request.app.state.rosters
    found = await store_work(ctx, _unchanged_or_kept, ctx, request, event_id, if_none_match)
    if isinstance(found, Response):
        return found
    newest, cursor = found
    # Made afresh (12-15 ms of CPU for 500 patrons) in the thread pool on every store: on
    # the event loop it would hold up every other answer meanwhile, each 250 KB roster
    # going out in several writes (16 at once on one SQLite worker: p99 1.6 s).
    view, made = await run_in_threadpool(_made, ctx, event_id, cursor)
    if newest is not None:  # an event with no entries has no marker to keep it under
        rosters.keep(event_id, made, changed_at=newest.at, now=ctx.now())
    return _answer(request, made, view.credits)


def _unchanged_or_kept(
    ctx: Context, request: Request, event_id: str, if_none_match: str | None
) -> Response | tuple[AuditEntry | None, str]:
    """The answer when the roster is unchanged since ``if_none_match`` (304) or kept (its
    credit read afresh); else the newest entry and the marker, to make it under. One step:
    one hop to the thread pool where the store is not local."""
    # The marker is read first, so a change made meanwhile is seen next time.
    newest = live.newest(ctx, event_id=event_id)
    cursor = newest.id if newest is not None else live.NO_CHANGES
    if cursor != live.NO_CHANGES and _etag(if_none_match) == cursor:
        return Response(status_code=304, headers={"ETag": f'"{cursor}"'})
    rosters: RosterCache = request.app.state.rosters
    kept = rosters.get(event_id, cursor)
    if kept is None:
        return newest, cursor
    credit = roster.credit_held(ctx, currency=kept.currency, patron_ids=kept.patron_ids)
    return _answer(request, kept, credit)


def _answer(request: Request, kept: Kept, credit: dict[str, int]) -> Response:
    headers = {"ETag": f'"{kept.marker}"'}
    if len(kept.head) >= GZIP_MINIMUM and "gzip" in request.headers.get("Accept-Encoding", ""):
        headers.update({"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
        return Response(kept.gzipped(credit), media_type="application/json", headers=headers)
    return Response(kept.answer(credit), media_type="application/json", headers=headers)


def _made(ctx: Context, event_id: str, cursor: str) -> tuple[RosterView, Kept]:
    view = roster.roster(ctx, event_id=event_id)
    return view, _kept(view, cursor, ctx.settings.public_url)


def _kept(view: RosterView, cursor: str, url: str) -> Kept:
    """The roster's answer without its credit, to finish per request (and keep)."""
    out = RosterOut.model_validate(
        {
            "event": event_out(view.event, view.counts),
            "counts": counts_out(view.counts),
            "roster": [
                BookingOut.fields_of(b.booking, url, b.receipt_email) for b in view.bookings
            ],
            "cursor": cursor,
            "credit": {},
        }
    )
    # Built in one pass of pydantic's core and serialised once here: returning the model
    # would make FastAPI validate 500 entries again.
    return Kept.of(
        out.model_dump_json().encode(),
        marker=cursor,
        currency=view.event.currency,
        patron_ids=[b.booking.patron_id for b in view.bookings],
    )


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
    view = roster.cancel_booking(
        ctx, by=crew, event_id=event_id, patron_id=patron_id, reason=body.reason
    )
    return booking_out(view, ctx.settings.public_url)


@router.post("/{patron_id}/promote", response_model=BookingOut)
def promote(event_id: str, patron_id: str, ctx: Ctx, crew: Crew) -> BookingOut:
    view = roster.promote_booking(ctx, by=crew, event_id=event_id, patron_id=patron_id)
    return booking_out(view, ctx.settings.public_url)


@router.post("/{patron_id}/attendance", response_model=BookingOut)
async def set_attendance(
    event_id: str,
    patron_id: str,
    body: AttendanceIn,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> BookingOut:
    ctx, crew = await signed_crew(request)
    view = await store_work(
        ctx,
        attendance.set_checked_in,
        ctx,
        by=crew,
        event_id=event_id,
        patron_id=patron_id,
        checked_in=body.checked_in,
        occurred_at=body.occurred_at,
        idempotency_key=idempotency_key,
        board_anyway=body.board_anyway,
    )
    return booking_out(view, ctx.settings.public_url)


def _waiver_out(view: BookingView, url: str) -> WaiverOut:
    booking = view.booking
    return WaiverOut(
        waiver_signed=booking.waiver_signed,
        kind=booking.waiver_kind.value if booking.waiver_kind else None,
        at=booking.waiver_at,
        by=booking.waiver_by,
        booking=booking_out(view, url),
    )


@router.get("/{patron_id}/waiver", response_model=WaiverOut)
def get_waiver(event_id: str, patron_id: str, ctx: Ctx, crew: Crew) -> WaiverOut:
    view = attendance.waiver_status(ctx, event_id=event_id, patron_id=patron_id)
    return _waiver_out(view, ctx.settings.public_url)


@router.post("/{patron_id}/waiver", response_model=WaiverOut)
def confirm_waiver(
    event_id: str,
    patron_id: str,
    body: WaiverIn,
    ctx: Ctx,
    crew: Crew,
    idempotency_key: IdempotencyKey = None,
) -> WaiverOut:
    view = attendance.confirm_paper_waiver(
        ctx,
        by=crew,
        event_id=event_id,
        patron_id=patron_id,
        occurred_at=body.occurred_at,
        idempotency_key=idempotency_key,
    )
    return _waiver_out(view, ctx.settings.public_url)
