"""What a patron sees behind their guest link: one booking, its event, payments, waiver."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..domain import seats as seat_rules
from ..domain.models import Booking, BookingStatus, Event, EventStatus, Payment, Seat
from ..domain.waivers import WaiverSignature, WaiverTemplate
from .context import Context
from .events import get_event
from .online import payable_with
from .settlement_guest import GuestSettlement, guest_settlement
from .waivers import booking_for_token, event_template, signature_of


@dataclass(frozen=True)
class GuestView:
    org_name: str
    timezone: str
    event: Event
    starts_at: datetime  # in the organisation's time zone
    ends_at: datetime | None
    booking: Booking
    payments: list[Payment]
    template: WaiverTemplate | None
    signature: WaiverSignature | None
    waiver_at: datetime | None  # in the organisation's time zone
    seats: list[Seat]  # the party's people, 1 to the party size
    public_url: str
    pay_with: tuple[str, ...] = ()  # providers offered for "Pay now" (a balance is due)
    settlement: GuestSettlement | None = None  # a cancelled, shifted or rebooked departure

    def seat_to_sign(self, no: int | None) -> Seat | None:
        """Seat ``no`` (else the first one still to sign) when it still needs a waiver."""
        if no is None:
            return seat_rules.next_to_sign(self.booking)
        if not 1 <= no <= len(self.seats):
            return None
        seat = self.seats[no - 1]
        return seat if seat_rules.needs_signing(self.booking, seat) else None

    def label(self, seat: Seat) -> str:
        if seat.name:
            return seat.name
        return self.booking.patron_name if len(self.seats) == 1 else f"Person {seat.no}"

    def link(self, seat: Seat) -> str:
        """The seat's own signing link, or "" until the booker asks for one."""
        if not seat.link_secret or not seat_rules.needs_signing(self.booking, seat):
            return ""
        b = self.booking
        return f"{self.public_url}/g/seat/{b.event_id}/{b.patron_id}/{seat.no}/{seat.link_secret}"

    @property
    def cannot_sign_reason(self) -> str:
        if self.event.status == EventStatus.CANCELLED:
            return "This event is cancelled."
        if self.booking.status == BookingStatus.CANCELLED:
            return "This booking is cancelled."
        if self.booking.waiver_signed:
            return "A waiver is already on file for this booking."
        if self.template is None:
            return "This event has no online waiver."
        return ""

    @property
    def can_sign(self) -> bool:
        return not self.cannot_sign_reason


def guest_view(ctx: Context, *, token: str) -> GuestView:
    """Everything the guest page shows for ``token``, or NotFound. Changes nothing."""
    booking = booking_for_token(ctx, token=token)
    event = get_event(ctx, event_id=booking.event_id)
    tz = ctx.settings.tz
    return GuestView(
        org_name=ctx.settings.org_name,
        timezone=ctx.settings.timezone,
        event=event,
        starts_at=event.starts_at.astimezone(tz),
        ends_at=event.ends_at.astimezone(tz) if event.ends_at else None,
        booking=booking,
        payments=ctx.store.list_payments(booking.event_id, booking.patron_id),
        template=event_template(ctx, event),
        signature=signature_of(ctx, booking),
        waiver_at=booking.waiver_at.astimezone(tz) if booking.waiver_at else None,
        seats=seat_rules.seats_of(booking),
        public_url=ctx.settings.public_url,
        pay_with=payable_with(ctx, booking, event),
        settlement=guest_settlement(ctx, booking=booking),
    )
