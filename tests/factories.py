"""Plain factory functions for tests: build real records through the real use cases."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any

from shipcaptaincrew.domain.models import (
    SYSTEM,
    AuditEntry,
    Booking,
    BookingStatus,
    CrewMember,
    Event,
    EventStatus,
    OutboxMessage,
    Patron,
    Payment,
    PaymentMethod,
    Role,
    Session,
    new_guest_token,
    new_id,
)
from shipcaptaincrew.services import auth, events, roster
from shipcaptaincrew.services.context import Context
from shipcaptaincrew.storage.base import Store

PASSWORD = "correct-horse-battery"  # noqa: S105


def crew(ctx: Context, role: Role = Role.ADMIN, email: str | None = None) -> CrewMember:
    email = email or f"{role.value}-{new_id('x')}@example.org"
    return auth.create_crew(
        ctx,
        actor=SYSTEM,
        name=f"{role.value.title()} Person",
        email=email,
        role=role,
        password=PASSWORD,
    )


@functools.cache
def _password_hash() -> str:
    return auth.hash_password(PASSWORD)


def crew_fast(ctx: Context, role: Role, email: str) -> CrewMember:
    """A crew member stored with a password hash computed once per test session."""
    member = CrewMember(
        id=new_id("crw"),
        name=f"{role.value.title()} Person",
        email=email,
        role=role,
        password_hash=_password_hash(),
        created_at=ctx.now(),
    )
    ctx.store.add_crew(member, audit_entry("crew.created"))
    return member


def session_for(ctx: Context, member: CrewMember) -> str:
    """A signed-in session for ``member`` (as login makes one); returns the bearer token."""
    token = new_id("tok") + new_id("tok")
    ctx.store.add_session(
        Session(
            auth.hash_token(token),
            member.id,
            "csrf-" + member.id,
            ctx.now(),
            ctx.now() + timedelta(days=30),
        ),
        audit_entry("login"),
    )
    return token


def event(ctx: Context, by: CrewMember, **kw: Any) -> Event:
    start = kw.pop("starts_at", ctx.now() + timedelta(hours=3))
    args: dict[str, Any] = {
        "title": "Sunset Cruise",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "location": "Pier 3",
        "capacity": 20,
        "price_cents": 4500,
        "currency": "USD",
    }
    args.update(kw)
    return events.create_event(ctx, by=by, **args).event


def booking(
    ctx: Context,
    by: CrewMember,
    event_id: str,
    name: str = "Pat Doe",
    email: str | None = None,
    party_size: int = 1,
    email_patron: bool = False,
) -> Booking:
    """A booking made as crew make one; without its booking email unless ``email_patron``
    (tests of other emails count only theirs)."""
    email = email or f"{new_id('p')}@example.com"
    return roster.add_patron(
        ctx,
        by=by,
        event_id=event_id,
        name=name,
        email=email,
        party_size=party_size,
        email_patron=email_patron,
    )


# Records built directly, for store contract tests (no use cases involved).
T0 = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


def audit_entry(
    action: str = "test",
    event_id: str | None = None,
    patron_id: str | None = None,
    at: datetime = T0,
) -> AuditEntry:
    return AuditEntry(
        id=new_id("aud"),
        at=at,
        actor="crew:test",
        actor_name="Tester",
        action=action,
        subject="s",
        event_id=event_id,
        patron_id=patron_id,
        data={"k": "v", "n": 1},
    )


def crew_record(email: str = "ann@example.org", role: Role = Role.ADMIN) -> CrewMember:
    return CrewMember(
        id=new_id("crw"),
        name="Ann",
        email=email,
        role=role,
        password_hash="argon2-hash",
        created_at=T0,
    )


def event_record(capacity: int | None = 10, price_cents: int = 4500) -> Event:
    return Event(
        id=new_id("evt"),
        title="Cruise",
        starts_at=T0 + timedelta(days=1),
        ends_at=T0 + timedelta(days=1, hours=2),
        location="Pier",
        capacity=capacity,
        price_cents=price_cents,
        currency="USD",
        status=EventStatus.SCHEDULED,
        created_at=T0,
        updated_at=T0,
    )


def patron_record(email: str | None = None, name: str = "Pat") -> Patron:
    return Patron(
        id=new_id("pat"),
        name=name,
        email=email or f"{new_id('p')}@example.com",
        phone="555",
        created_at=T0,
    )


def booking_record(event: Event, patron: Patron, party_size: int = 1) -> Booking:
    return Booking(
        event_id=event.id,
        patron_id=patron.id,
        patron_name=patron.name,
        patron_email=patron.email,
        patron_phone=patron.phone,
        party_size=party_size,
        amount_due_cents=event.price_cents * party_size,
        currency=event.currency,
        status=BookingStatus.BOOKED,
        guest_token=new_guest_token(),
        created_at=T0,
    )


def stored_booking(
    store: Store, event: Event, patron: Patron, *, new_patron: bool = True
) -> Booking:
    """``patron`` booked on ``event`` (already stored) through the store, as it stores it."""
    return store.add_booking(
        patron=patron,
        new_patron=new_patron,
        booking=booking_record(event, patron),
        capacity=event.capacity,
        audit=audit_entry("booking.added"),
    )


def payment_record(
    b: Booking, amount_cents: int = 4500, key: str | None = None, at: datetime = T0
) -> Payment:
    return Payment(
        id=new_id("pay"),
        event_id=b.event_id,
        patron_id=b.patron_id,
        amount_cents=amount_cents,
        currency=b.currency,
        method=PaymentMethod.CASH,
        reference="",
        note="",
        logged_by="crw_1",
        logged_by_name="Tester",
        logged_at=at,
        idempotency_key=key,
    )


def receipt_message(payment: Payment, to: str) -> OutboxMessage:
    """The receipt email a payment queues, due at T0."""
    return OutboxMessage(
        id=new_id("msg"),
        dedup_key=f"payment:{payment.id}:receipt",
        kind="receipt",
        to=to,
        payload={"payment_id": payment.id},
        created_at=T0,
        next_attempt_at=T0,
        event_id=payment.event_id,
        patron_id=payment.patron_id,
    )
