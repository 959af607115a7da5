"""A realistic demo organisation: three events, about forty patrons, some paid and
checked in. Used by ``scc demo`` and ``make run``."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from .domain.models import SYSTEM, PaymentMethod, Role
from .services import attendance, auth, events, payments, roster, waiver_templates
from .services.context import Context
from .services.demo_accounts import DEMO_DOMAIN
from .services.payments import PaymentRequest

DEMO_ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
DEMO_PASSWORD = "harbour-demo-2026"  # noqa: S105 - demo data only, printed on purpose

FIRST = [
    "Ava",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Finn",
    "Grace",
    "Hiro",
    "Isla",
    "Jonah",
    "Kemi",
    "Liam",
    "Maya",
    "Noah",
    "Olivia",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
]
LAST = [
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Patel",
    "Nakamura",
    "O'Brien",
    "Silva",
    "Kowalski",
    "Haddad",
    "Fraser",
    "Mbeki",
    "Larsen",
]


WAIVER_TEXT = """Release of liability, assumption of risk and consent

I am taking part in this trip or class of my own free will. I understand that being on
the water involves risks, including slips and falls, sudden changes of weather, cold water,
seasickness and injury, and that these risks cannot be removed entirely.

I will follow the crew's instructions at all times, wear a life jacket when asked, and tell
the crew before departure about any medical condition that could affect my safety.

To the extent the law allows, I release the organiser, its crew and its agents from claims
for loss, injury or damage arising from my participation, except where caused by their
gross negligence or wilful misconduct.

I consent to first aid and emergency medical treatment if the crew consider it necessary."""


def demo_guest_link(ctx: Context) -> str | None:
    """A guest link to try the guest page: the first booking of the first event, preferring
    one whose waiver is still to sign."""
    for event in ctx.store.list_events():
        bookings = ctx.store.list_bookings(event.id)
        unsigned = [b for b in bookings if not b.waiver_signed]
        for booking in unsigned or bookings:
            return f"{ctx.settings.public_url}/g/{booking.guest_token}"
    return None


def load_demo(ctx: Context, *, seed: int = 7) -> bool:
    """Load the demo data; False (and nothing written) if the demo admin already exists."""
    if ctx.store.get_crew_by_email(DEMO_ADMIN_EMAIL) is not None:
        return False
    rng = random.Random(seed)
    admin = auth.create_crew(
        ctx,
        actor=SYSTEM,
        name="Morgan Reyes",
        email=DEMO_ADMIN_EMAIL,
        role=Role.ADMIN,
        password=DEMO_PASSWORD,
    )
    auth.create_crew(
        ctx,
        actor=SYSTEM,
        name="Casey Ng",
        email=f"captain@{DEMO_DOMAIN}",
        role=Role.CAPTAIN,
        password=DEMO_PASSWORD,
    )
    deckhand = auth.create_crew(
        ctx,
        actor=SYSTEM,
        name="Jordan Blake",
        email=f"crew@{DEMO_DOMAIN}",
        role=Role.CREW,
        password=DEMO_PASSWORD,
    )
    waiver = waiver_templates.create_template(
        ctx, by=admin, name="Standard participation waiver", text=WAIVER_TEXT
    )
    tz = ctx.settings.tz
    today = ctx.now().astimezone(tz).date()
    plans = [
        ("Sunset Harbour Cruise", today, time(18, 30), 2, 4500, 30, 16, "Pier 3"),
        (
            "Whale Watching Morning",
            today + timedelta(days=1),
            time(9, 0),
            3,
            8900,
            24,
            14,
            "North Dock",
        ),
        (
            "Beginner Sailing Class",
            today + timedelta(days=6),
            time(10, 0),
            4,
            12000,
            10,
            10,
            "Sailing School Jetty",
        ),
    ]
    names = [f"{f} {last}" for f in FIRST for last in LAST]
    rng.shuffle(names)
    for title, day, start, hours, price, cap, count, place in plans:
        starts = datetime.combine(day, start, tzinfo=tz)
        event = events.create_event(
            ctx,
            by=admin,
            title=title,
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
            location=place,
            capacity=cap,
            price_cents=price,
            currency=ctx.settings.currency,
            waiver_template_id=waiver.id,
        ).event
        for i in range(count):
            name = names.pop()
            email = name.lower().replace(" ", ".").replace("'", "") + "@example.com"
            booking = roster.add_patron(
                ctx,
                by=admin,
                event_id=event.id,
                name=name,
                email=email,
                phone=f"+1 555 01{rng.randint(10, 99)}",
                party_size=rng.choice([1, 1, 1, 2, 2, 3]),
            )
            if day != today and i % 2:
                continue
            if rng.random() < 0.55:
                method = rng.choice([PaymentMethod.CASH, PaymentMethod.CARD, PaymentMethod.APP])
                amount = booking.amount_due_cents if rng.random() < 0.8 else price
                payments.log_payment(
                    ctx,
                    by=deckhand,
                    event_id=event.id,
                    req=PaymentRequest(
                        patron_id=booking.patron_id, amount_cents=amount, method=method
                    ),
                )
            if day == today and rng.random() < 0.5:
                attendance.set_checked_in(
                    ctx,
                    by=deckhand,
                    event_id=event.id,
                    patron_id=booking.patron_id,
                    checked_in=True,
                )
            if rng.random() < 0.4:
                attendance.confirm_paper_waiver(
                    ctx, by=deckhand, event_id=event.id, patron_id=booking.patron_id
                )
    return True
