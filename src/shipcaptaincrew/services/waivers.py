"""E-waivers: a patron (or their guardian) signs the event's waiver from the guest link,
and the signed-waiver PDF for the patron and for crew."""

from __future__ import annotations

import functools
import string
from dataclasses import dataclass

from ..domain import bookings as rules
from ..domain import seats as seat_rules
from ..domain.errors import Conflict, Invalid, NotFound
from ..domain.models import Actor, ActorKind, Booking, Event, WaiverKind, new_id
from ..domain.waivers import (
    MAX_USER_AGENT,
    WaiverSignature,
    WaiverTemplate,
    check_guardian,
    check_person_name,
    check_signature_png,
)
from ..receipts.waiver_pdf import WaiverPdfData, reencode_signature, render_waiver_pdfs
from .bookings import Change, change_booking, get_booking
from .context import Context
from .events import get_event
from .waiver_templates import get_template


@dataclass(frozen=True)
class SignRequest:
    """What the guest page sends: the template version it showed and its text's SHA-256,
    the typed name, the drawn signature (PNG bytes) and, for a minor, the guardian."""

    template_id: str
    template_version: int
    template_sha256: str
    signer_name: str
    signature_png: bytes
    minor: bool = False
    guardian_name: str = ""
    guardian_relationship: str = ""


def event_template(ctx: Context, event: Event) -> WaiverTemplate | None:
    """The latest version of the event's waiver template, or None when it has none."""
    if event.waiver_template_id is None:
        return None
    return ctx.store.get_waiver_template(event.waiver_template_id)


def sign_waiver(
    ctx: Context,
    *,
    booking: Booking,
    req: SignRequest,
    ip: str,
    user_agent: str,
    seat: int | None = None,
    via: str | None = None,
) -> tuple[Booking, WaiverSignature]:
    """Record an electronic waiver for one seat of ``booking`` (``seat``, else the first
    one still to sign). Stores the signature, marks the seat signed (and the booking's
    waiver complete when it was the last seat: electronic, signature id, time) and writes
    an audit entry whose actor is the guest (``via`` names a kiosk), all in one store
    transaction. The shown template version must be the event's current one and its
    SHA-256 must match (Conflict otherwise, so the patron re-reads the new text). Conflict
    when that seat or the whole booking already has a waiver, the booking is cancelled or
    the event is cancelled; NotFound for no such seat; Invalid for bad input."""
    event = get_event(ctx, event_id=booking.event_id)
    rules.check_open(event)
    template = event_template(ctx, event)
    if template is None:
        raise NotFound("This event has no online waiver.", {"event_id": event.id})
    if (req.template_id, req.template_version, req.template_sha256) != (
        template.id,
        template.version,
        template.sha256,
    ):
        raise Conflict(
            "The waiver text has changed since the page was loaded; please read it again.",
            {"template_id": template.id, "version": template.version},
        )
    signer = check_person_name(req.signer_name, "signer_name")
    guardian, relationship = check_guardian(req.minor, req.guardian_name, req.guardian_relationship)
    check_signature_png(req.signature_png)
    try:
        png = reencode_signature(req.signature_png)
    except ValueError as err:
        raise Invalid(
            f"The signature image is not usable: {err}; please sign again.",
            {"field": "signature"},
        ) from None
    check_signature_png(png)
    actor = Actor(ActorKind.GUEST, booking.patron_id, guardian or signer)

    made: list[WaiverSignature] = []

    def decide(current: Booking) -> Change:
        rules.check_active(current)
        if current.waiver_signed:
            raise Conflict(
                "A waiver is already on file for this booking.",
                {"kind": current.waiver_kind.value if current.waiver_kind else None},
            )
        if seat is None:
            next_seat = seat_rules.next_to_sign(current)
            assert next_seat is not None  # the booking's waiver is not complete
            no = next_seat.no
        else:
            no = seat_rules.check_signable(current, seat).no
        now = ctx.now()
        signature = WaiverSignature(
            id=new_id("wvs"),
            event_id=current.event_id,
            patron_id=current.patron_id,
            template_id=template.id,
            template_version=template.version,
            template_sha256=template.sha256,
            signer_name=signer,
            signature_png=png,
            signed_at=now,
            ip=ip[:64],
            user_agent=user_agent[:MAX_USER_AGENT],
            guardian_name=guardian,
            guardian_relationship=relationship,
            seat=no,
        )
        made[:] = [signature]
        updated = seat_rules.signed(
            current,
            no=no,
            kind=WaiverKind.ELECTRONIC,
            at=now,
            by=actor.label,
            signature_id=signature.id,
            name=signer,
            minor=req.minor,
        )
        data = {
            "kind": "electronic",
            "seat": no,
            "complete": updated.waiver_signed,
            "via": via,
            "signature_id": signature.id,
            "template_id": template.id,
            "template_version": template.version,
            "sha256": template.sha256,
            "signer_name": signer,
            "guardian_name": guardian,
            "guardian_relationship": relationship,
            "ip": signature.ip,
            "user_agent": signature.user_agent,
        }
        write = functools.partial(ctx.store.add_waiver_signature, signature)
        return Change(updated, "waiver.signed", data, write=write)

    signed = change_booking(
        ctx, actor=actor, event_id=booking.event_id, patron_id=booking.patron_id, decide=decide
    )
    return signed, made[0]


def signature_of(ctx: Context, booking: Booking) -> WaiverSignature | None:
    """The booking's electronic signature, or None (no waiver, or a paper one)."""
    if booking.waiver_kind != WaiverKind.ELECTRONIC or not booking.waiver_signature_id:
        return None
    return ctx.store.get_waiver_signature(booking.waiver_signature_id)


def signatures_of(ctx: Context, booking: Booking) -> list[WaiverSignature]:
    """The party's e-signatures in seat order (see ``domain.seats.signature_ids``)."""
    found = (ctx.store.get_waiver_signature(i) for i in seat_rules.signature_ids(booking))
    return [s for s in found if s is not None]


def waiver_pdf(ctx: Context, *, booking: Booking) -> bytes:
    """The signed-waiver PDF of a booking: one page per e-signature on file (one per seat
    signed online), or NotFound when there is none. Changes nothing."""
    signatures = signatures_of(ctx, booking)
    if not signatures:
        raise NotFound(
            "There is no electronic waiver for this booking.",
            {"event_id": booking.event_id, "patron_id": booking.patron_id},
        )
    event = get_event(ctx, event_id=booking.event_id)
    pages = []
    for signature in signatures:
        template = get_template(
            ctx, template_id=signature.template_id, version=signature.template_version
        )
        pages.append(
            WaiverPdfData(
                org_name=ctx.settings.org_name,
                event_title=event.title,
                event_starts_at=event.starts_at.astimezone(ctx.settings.tz),
                patron_name=booking.patron_name
                if signature.seat is None
                else signature.signer_name,
                template=template,
                signature=signature,
                timezone=ctx.settings.timezone,
            )
        )
    return render_waiver_pdfs(pages, font_path=ctx.settings.receipt_font)


def crew_waiver_pdf(ctx: Context, *, event_id: str, patron_id: str) -> bytes:
    """The signed-waiver PDF for crew, by event and patron, or NotFound. Changes nothing."""
    return waiver_pdf(ctx, booking=get_booking(ctx, event_id=event_id, patron_id=patron_id))


_TOKEN_CHARS = set(string.ascii_letters + string.digits + "-_")


def check_token_shape(token: str) -> None:
    """Guest tokens are URL-safe base64; anything else is not a token (NotFound)."""
    if not 16 <= len(token) <= 64 or not set(token) <= _TOKEN_CHARS:
        raise NotFound("No such guest link.")


def booking_for_token(ctx: Context, *, token: str) -> Booking:
    """The booking behind a guest link, or NotFound. Changes nothing."""
    check_token_shape(token)
    booking = ctx.store.get_booking_by_token(token)
    if booking is None:
        raise NotFound("No such guest link.")
    return booking
