"""Crew give a patron their guest link again: by email ("Send link") or as a QR code on
the crew member's screen for a patron standing there."""

from __future__ import annotations

from datetime import datetime

from ..domain import outbox as ob
from ..domain import refusals
from ..domain.bookings import check_active
from ..domain.models import CrewMember, OutboxMessage
from . import audit
from .access import actor_of
from .booking_mail import booking_message
from .bookings import get_booking
from .context import Context


def send_link(ctx: Context, *, by: CrewMember, event_id: str, patron_id: str) -> OutboxMessage:
    """Email the patron their guest link (any crew member), at most once a minute per
    booking: Conflict with the time it may be sent again. Writes the message and an audit
    entry in one write, then hands the message to ``ctx.after_commit``."""
    booking = get_booking(ctx, event_id=event_id, patron_id=patron_id)
    check_active(booking)
    now = ctx.now()
    sent = ctx.store.list_outbox_for_event(event_id, [ob.LINK], patron_id)
    again_at = ob.link_again_at(sent, now)
    if again_at is None:
        key = ob.link_key(event_id, patron_id, now)
        message = booking_message(ctx, booking=booking, kind=ob.LINK, key=key)
        entry = audit.entry(
            ctx,
            actor=actor_of(by),
            action="booking.link_sent",
            subject=f"{event_id}/{patron_id}",
            event_id=event_id,
            patron_id=patron_id,
            data={"to": booking.patron_email, "message_id": message.id},
        )
        if ctx.store.add_outbox([message], [entry]):
            ctx.after_commit([message])
            return message
        again_at = now + ob.LINK_INTERVAL  # another crew member sent it this very minute
    raise refusals.link_sent_recently(_iso(again_at))


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


def link_qr_svg(ctx: Context, *, by: CrewMember, event_id: str, patron_id: str) -> str:
    """The booking's guest link as a QR code, an SVG document drawn by segno (any crew
    member). Changes nothing."""
    import io

    import segno  # only this screen needs it

    booking = get_booking(ctx, event_id=event_id, patron_id=patron_id)
    url = f"{ctx.settings.public_url}/g/{booking.guest_token}"
    out = io.BytesIO()
    segno.make(url, error="m").save(
        out,
        kind="svg",
        scale=6,
        border=2,
        dark="#000",
        light="#fff",
        title="Guest link",
        xmldecl=False,
        svgclass=None,
        lineclass=None,
    )
    return out.getvalue().decode()
