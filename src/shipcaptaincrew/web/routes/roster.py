"""Roster, attendance, paper waivers and cancellations."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from pydantic import TypeAdapter
from starlette.concurrency import run_in_threadpool

from ...domain import bookings as rules
from ...domain.models import AuditEntry, Event, RosterCounts
from ...services import attendance, live, roster
from ...services.bookings import read_event_booking
from ...services.context import Context
from ...services.views import BookingView, RosterView
from ..deferred_route import DeferredRoute
from ..deps import Crew, Ctx, signed_crew
from ..roster_cache import GZIP_MINIMUM, SETTLE, Kept, Parts, RosterCache
from ..schemas import AttendanceIn, BookingOut, CancelIn, RosterIn, RosterOut, WaiverIn, WaiverOut
from ..store_work import store_work, store_write
from .common import ERRORS, booking_out, counts_out, event_out

router = APIRouter(
    route_class=DeferredRoute, prefix="/events/{event_id}", tags=["roster"], responses=ERRORS
)

# A kept roster changed since is brought up to date (``_brought_up_to_date``) when at most
# PATCH_MAX of its bookings changed, found among the event's last entries (PATCH_LOOKBACK:
# the last 48 first, a read that costs more the more it reads). A booking is a read, the
# roster made afresh five and 500 bookings: at a check-in every half second, about 20
# bookings changed in the last SETTLE (2.3 ms of CPU brought up to date and gzipped for
# 500 patrons, against 12-16 ms made afresh).
PATCH_MAX = 40
PATCH_LOOKBACK = (48, 160)
_TEXT = TypeAdapter(str)

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

    async def make() -> tuple[RosterView, Kept]:
        # Made afresh (10-14 ms of CPU for 500 patrons) in the thread pool on every store:
        # on the event loop it would hold up every other answer meanwhile, each 250 KB
        # roster going out in several writes (16 at once on one SQLite worker: p99 1.6 s).
        view, made = await run_in_threadpool(_made, ctx, event_id, newest)
        if newest is not None:  # an event with no entries has no marker to keep it under
            rosters.keep(event_id, made, changed_at=newest.at, now=ctx.now())
        return view, made

    view, made = await rosters.made_once(event_id, cursor, make)
    return _answer(request, made, view.credits)


def _unchanged_or_kept(
    ctx: Context, request: Request, event_id: str, if_none_match: str | None
) -> Response | tuple[AuditEntry | None, str]:
    """The answer when the roster is unchanged since ``if_none_match`` (304), kept (its
    credit read afresh) or brought up to date from the one kept; else the newest entry
    and the marker, to make it under. One step: one hop to the thread pool where the store
    is not local."""
    # The marker is read first, so a change made meanwhile is seen next time.
    newest = live.newest(ctx, event_id=event_id)
    cursor = newest.id if newest is not None else live.NO_CHANGES
    if cursor != live.NO_CHANGES and _etag(if_none_match) == cursor:
        return Response(status_code=304, headers={"ETag": f'"{cursor}"'})
    rosters: RosterCache = request.app.state.rosters
    kept = rosters.get(event_id, cursor)
    if kept is None and newest is not None and live.reads_are_local(ctx):
        kept = _brought_up_to_date(ctx, rosters.latest(event_id), event_id)
        if kept is not None:
            rosters.keep(event_id, kept, changed_at=newest.at, now=ctx.now())
    if kept is None:
        return newest, cursor
    credit = roster.credit_held(ctx, currency=kept.currency, patron_ids=kept.patron_ids)
    return _answer(request, kept, credit)


def _brought_up_to_date(ctx: Context, kept: Kept | None, event_id: str) -> Kept | None:
    """``kept`` with the bookings changed since read again (one read for the changes, one a
    booking) and their parts of the answer made again; None when it cannot be: too many
    changes, a change to the event itself, a booking added, gone or renamed (the answer's
    order is by name). The changes are the entries after its ``since`` it has not seen."""
    if kept is None or kept.since is None or (parts := kept.parts) is None:
        return None
    changes = live.changed_since(ctx, event_id=event_id, since=kept.since, limits=PATCH_LOOKBACK)
    if changes is None:
        return None
    patrons = list(dict.fromkeys(e.patron_id for e in changes if e.id not in kept.seen))
    if len(patrons) > PATCH_MAX:
        return None
    views, entries = list(parts.bookings), list(parts.entries)
    url = ctx.settings.public_url
    was, now = [], []  # the changed bookings as kept, and as read again
    for patron_id in patrons:
        if patron_id is None or (at := parts.at.get(patron_id)) is None:
            return None
        _event, booking, email = read_event_booking(ctx, event_id=event_id, patron_id=patron_id)
        if booking is None or booking.patron_name != views[at].booking.patron_name:
            return None
        was.append(views[at].booking)
        now.append(booking)
        views[at] = view = BookingView(booking, email)
        entries[at] = _entry(view, url)
    marker = changes[0].id if changes else kept.since
    since, young = live.split_settled(changes, now=ctx.now(), settle=SETTLE)
    seen = frozenset(e.id for e in young)
    if not patrons and marker == kept.marker:  # nothing new: the same answer
        return dataclasses.replace(kept, since=since or kept.since, seen=seen)
    counts = rules.recount(parts.counts, was, now)
    return Kept.of(
        _whole(parts.event, counts, entries, marker),
        marker=marker,
        currency=kept.currency,
        patron_ids=kept.patron_ids,
        since=since or kept.since,
        parts=Parts(parts.event, counts, views, entries, parts.at),
        seen=seen,
        pieces=kept.pieces,
    )


def _answer(request: Request, kept: Kept, credit: dict[str, int]) -> Response:
    headers = {"ETag": f'"{kept.marker}"'}
    if len(kept.head) >= GZIP_MINIMUM and "gzip" in request.headers.get("Accept-Encoding", ""):
        headers.update({"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
        return Response(kept.gzipped(credit), media_type="application/json", headers=headers)
    return Response(kept.answer(credit), media_type="application/json", headers=headers)


def _made(ctx: Context, event_id: str, newest: AuditEntry | None) -> tuple[RosterView, Kept]:
    """The roster made afresh, and the answer to keep: on a store on this machine with its
    parts and the newest entry it surely holds, to be brought up to date from."""
    since: str | None = None
    young: list[AuditEntry] = []
    if newest is not None and live.reads_are_local(ctx):
        since, young = (
            (newest.id, [])
            if ctx.now() - newest.at >= SETTLE
            else live.settled(ctx, event_id=event_id, settle=SETTLE, limits=PATCH_LOOKBACK)
        )
    view = roster.roster(ctx, event_id=event_id)  # read after the entries: it holds them
    cursor = newest.id if newest is not None else live.NO_CHANGES
    seen = frozenset(e.id for e in young)
    return view, _kept(view, cursor, ctx.settings.public_url, since=since, seen=seen)


def _entry(view: BookingView, url: str) -> bytes:
    """One booking's part of the roster's answer."""
    return BookingOut.json_of(view.booking, url, view.receipt_email)


def _whole(event: Event, counts: RosterCounts, entries: list[bytes], cursor: str) -> bytes:
    """The roster's answer (``RosterOut``) without its credit, from its bookings' parts:
    the bytes ``RosterOut(...).model_dump_json()`` makes (a test compares them)."""
    head, tail = event_out(event, counts), counts_out(counts)
    return b"".join(
        [
            b'{"event":',
            head.__pydantic_serializer__.to_json(head),
            b',"counts":',
            tail.__pydantic_serializer__.to_json(tail),
            b',"roster":[',
            b",".join(entries),
            b'],"cursor":',
            _TEXT.dump_json(cursor),
            b',"credit":{}}',
        ]
    )


def _kept(
    view: RosterView,
    cursor: str,
    url: str,
    *,
    since: str | None = None,
    seen: frozenset[str] = frozenset(),
) -> Kept:
    """The roster's answer without its credit, to finish per request (and keep), with its
    parts when it says which changes it holds (``since``). Each booking's part is serialised
    once here and kept: returning the model would make FastAPI validate 500 entries
    again."""
    entries = [_entry(b, url) for b in view.bookings]
    return Kept.of(
        _whole(view.event, view.counts, entries, cursor),
        marker=cursor,
        currency=view.event.currency,
        patron_ids=[b.booking.patron_id for b in view.bookings],
        since=since,
        parts=None if since is None else Parts.of(view.event, view.counts, view.bookings, entries),
        seen=seen,
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
    view = await store_write(
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
