"""The waiver kiosk: an admin or captain starts one for an event on a shared tablet, which
can then only search that event's bookings by surname and sign their seats, until the end
of the day (``SCC_TIMEZONE``) or until it is revoked from the console.

The kiosk's token is its own kind of credential: only its SHA-256 is stored, it is never
a crew session, and no ``/api`` route accepts it."""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass

from ..domain import kiosk as rules
from ..domain import seats as seat_rules
from ..domain.errors import NotFound
from ..domain.kiosk import Kiosk
from ..domain.models import Booking, BookingStatus, CrewMember, Event, new_id
from . import audit
from .access import actor_of, require_manager
from .context import Context
from .events import get_event
from .seats import SeatView, seat_view
from .waivers import SignRequest, sign_waiver


@dataclass(frozen=True)
class KioskStart:
    kiosk: Kiosk
    token: str  # shown once, to open the kiosk page; only its hash is stored
    path: str


def kiosk_path(token: str) -> str:
    return f"/g/kiosk/{token}"


def start_kiosk(ctx: Context, *, by: CrewMember, event_id: str) -> KioskStart:
    """Start a kiosk for the event (admins and captains): a new token valid until the end
    of today in the organisation's time zone. Writes the kiosk and an audit entry."""
    require_manager(by)
    event = get_event(ctx, event_id=event_id)
    token = secrets.token_urlsafe(32)
    now = ctx.now()
    kiosk = Kiosk(
        id=new_id("ksk"),
        event_id=event.id,
        token_hash=rules.token_hash(token),
        started_by=by.id,
        started_at=now,
        expires_at=rules.expiry(now, ctx.settings.tz),
    )
    entry = audit.entry(
        ctx,
        actor=actor_of(by),
        action="kiosk.started",
        subject=kiosk.id,
        event_id=event.id,
        data={"kiosk_id": kiosk.id, "expires_at": kiosk.expires_at.isoformat()},
    )
    ctx.store.add_kiosk(kiosk, entry)
    return KioskStart(kiosk, token, kiosk_path(token))


def list_kiosks(ctx: Context, *, by: CrewMember, event_id: str) -> list[Kiosk]:
    """The event's kiosks, oldest first (admins and captains). Changes nothing."""
    require_manager(by)
    get_event(ctx, event_id=event_id)
    return ctx.store.list_kiosks(event_id)


def revoke_kiosk(ctx: Context, *, by: CrewMember, event_id: str, kiosk_id: str) -> Kiosk:
    """End a kiosk now (admins and captains): its token stops working at once. Writes the
    kiosk and an audit entry; a kiosk already revoked is returned unchanged. NotFound for
    no such kiosk on the event."""
    require_manager(by)
    found = [k for k in ctx.store.list_kiosks(event_id) if k.id == kiosk_id]
    if not found:
        get_event(ctx, event_id=event_id)
        raise NotFound("No such kiosk on this event.", {"kiosk_id": kiosk_id})
    kiosk = found[0]
    if kiosk.revoked_at is not None:
        return kiosk
    revoked = dataclasses.replace(kiosk, revoked_at=ctx.now(), revoked_by=by.id)
    entry = audit.entry(
        ctx,
        actor=actor_of(by),
        action="kiosk.revoked",
        subject=kiosk.id,
        event_id=event_id,
        data={"kiosk_id": kiosk.id},
    )
    if not ctx.store.revoke_kiosk(revoked, entry):
        return ctx.store.get_kiosk_by_token(kiosk.token_hash) or revoked
    return revoked


def kiosk_for_token(ctx: Context, *, token: str) -> Kiosk:
    """The kiosk behind a token while it may be used, or NotFound (unknown, expired or
    revoked: the tablet shows that the kiosk has ended). Changes nothing."""
    if not 32 <= len(token) <= 64:
        raise NotFound("This kiosk has ended.")
    kiosk = ctx.store.get_kiosk_by_token(rules.token_hash(token))
    if kiosk is None or not kiosk.usable(ctx.now()):
        raise NotFound("This kiosk has ended.")
    return kiosk


@dataclass(frozen=True)
class KioskMatch:
    patron_id: str
    first_names: str  # of the people whose surname matched
    party_size: int
    to_sign: int  # seats still without a waiver


@dataclass(frozen=True)
class KioskSearch:
    org_name: str
    event: Event
    query: str
    matches: list[KioskMatch] | None  # None before a search


def kiosk_page(ctx: Context, *, token: str) -> KioskSearch:
    """The kiosk's search page before a search, or NotFound when the kiosk has ended.
    Changes nothing."""
    kiosk = kiosk_for_token(ctx, token=token)
    return KioskSearch(ctx.settings.org_name, get_event(ctx, event_id=kiosk.event_id), "", None)


def search(ctx: Context, *, token: str, query: str) -> KioskSearch:
    """The event's booked parties whose booker or a named person has a surname starting
    with ``query`` (3+ letters): first names and party sizes only. Invalid for a short
    query; NotFound when the kiosk has ended. Changes nothing."""
    kiosk = kiosk_for_token(ctx, token=token)
    event = get_event(ctx, event_id=kiosk.event_id)
    folded = seat_rules.check_search(query)
    matches = []
    for b in ctx.store.list_bookings(kiosk.event_id):
        if b.status != BookingStatus.BOOKED:
            continue
        names = [b.patron_name] + [s.name for s in seat_rules.seats_of(b) if s.name]
        hits = [seat_rules.first_name(n) for n in names if seat_rules.surname_matches(n, folded)]
        if hits:
            matches.append(
                KioskMatch(
                    b.patron_id,
                    ", ".join(dict.fromkeys(hits)),
                    b.party_size,
                    b.party_size - b.waivers_signed,
                )
            )
    return KioskSearch(ctx.settings.org_name, event, query.strip(), matches)


@dataclass(frozen=True)
class KioskParty:
    org_name: str
    event: Event
    patron_id: str
    first_name: str
    seats: list[tuple[int, str, bool]]  # seat number, first name or "Person N", to sign


def party(ctx: Context, *, token: str, patron_id: str) -> KioskParty:
    """One booked party of the kiosk's event: its seats by first name and which still need
    a waiver. NotFound when not on the event (or the kiosk has ended). Changes nothing."""
    kiosk = kiosk_for_token(ctx, token=token)
    booking = ctx.store.get_booking(kiosk.event_id, patron_id)
    if booking is None or booking.status != BookingStatus.BOOKED:
        raise NotFound("No such party at this kiosk.")
    seats = [
        (
            s.no,
            seat_rules.first_name(s.name) or f"Person {s.no}",
            seat_rules.needs_signing(booking, s),
        )
        for s in seat_rules.seats_of(booking)
    ]
    return KioskParty(
        ctx.settings.org_name,
        get_event(ctx, event_id=kiosk.event_id),
        patron_id,
        seat_rules.first_name(booking.patron_name),
        seats,
    )


def kiosk_seat(ctx: Context, *, token: str, patron_id: str, no: int) -> tuple[Kiosk, SeatView]:
    """The signing page of one seat at the kiosk, or NotFound. Changes nothing."""
    kiosk = kiosk_for_token(ctx, token=token)
    booking = ctx.store.get_booking(kiosk.event_id, patron_id)
    if booking is None or booking.status != BookingStatus.BOOKED:
        raise NotFound("No such party at this kiosk.")
    return kiosk, seat_view(ctx, booking=booking, no=no)


def kiosk_sign(
    ctx: Context,
    *,
    token: str,
    patron_id: str,
    no: int,
    req: SignRequest,
    ip: str,
    user_agent: str,
) -> Booking:
    """Sign one seat at the kiosk: as ``waivers.sign_waiver`` (signature, seat, audit entry
    naming the kiosk, one transaction). NotFound when the kiosk has ended or the party is
    not on its event."""
    kiosk, view = kiosk_seat(ctx, token=token, patron_id=patron_id, no=no)
    booking, _signature = sign_waiver(
        ctx,
        booking=view.booking,
        req=req,
        ip=ip,
        user_agent=user_agent,
        seat=no,
        via=f"kiosk:{kiosk.id}",
    )
    return booking
