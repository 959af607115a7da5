"""Paying online (Stripe Checkout, PayPal orders) and the providers' webhooks.

A payment a provider reports is logged through ``payments.log_payment``, as a crew member's
is (audit entry, receipt email), with the provider as the actor and the idempotency key
``{provider}:{id}``: a repeated delivery replays it. Money that cannot be put on a booking
is kept as a ``ProviderTransaction``: a payment no booking takes is ``unmatched``; a refund
whose payment has not arrived yet is ``parked`` and applied when the payment arrives.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta

from ..domain import bookings as rules
from ..domain import online
from ..domain import outbox as ob
from ..domain.errors import Conflict, DuplicateKey, Invalid, NotFound
from ..domain.models import (
    Booking,
    BookingStatus,
    CrewMember,
    Event,
    EventStatus,
    OutboxMessage,
    PaymentMethod,
    new_id,
)
from ..domain.online import Checkout, ProviderMoney, ProviderTransaction
from . import audit
from .access import actor_of
from .bookings import get_booking
from .context import Context
from .events import get_event
from .payments import PaymentRequest, log_payment
from .refunds import record_refund
from .waivers import booking_for_token

PREFERRED = ("stripe", "paypal")


def offered(ctx: Context) -> tuple[str, ...]:
    """The providers a patron may pay with, Stripe first."""
    return tuple(p for p in PREFERRED if p in ctx.providers)


def payable_with(ctx: Context, booking: Booking, event: Event) -> tuple[str, ...]:
    """The providers the guest page offers for ``booking``: none unless a balance is due on
    a live booking of a scheduled event."""
    due = (
        booking.status != BookingStatus.CANCELLED
        and event.status != EventStatus.CANCELLED
        and not booking.payment_cleared
        and booking.balance_cents > 0
    )
    return offered(ctx) if due else ()


def start_checkout(ctx: Context, *, token: str, provider: str | None = None) -> Checkout:
    """Open a provider checkout for the balance of the booking behind ``token`` (Stripe when
    configured, else PayPal), expiring within 24 hours; writes a ``payment.checkout_started``
    audit entry. Nothing is paid until the provider's webhook says so."""
    booking = booking_for_token(ctx, token=token)
    name = provider or next(iter(offered(ctx)), None)
    if name is None or name not in ctx.providers:
        raise NotFound("Paying online is not available.", {"provider": provider})
    event = get_event(ctx, event_id=booking.event_id)
    rules.check_open(event)
    if booking.status == BookingStatus.CANCELLED:
        raise Conflict("This booking is cancelled.", {"patron_id": booking.patron_id})
    amount = online.check_amount_to_pay(0 if booking.payment_cleared else booking.balance_cents)
    checkout = ctx.providers[name].create_checkout(
        amount_cents=amount,
        currency=booking.currency,
        booking_ref=online.booking_reference(booking.event_id, booking.patron_id),
        event_id=booking.event_id,
        patron_id=booking.patron_id,
        title=event.title,
        email=booking.patron_email,
        return_url=f"{ctx.settings.public_url}/g/{token}",
        expires_at=ctx.now() + timedelta(seconds=online.CHECKOUT_TTL_S),
    )
    ctx.store.add_audit(
        audit.entry(
            ctx,
            actor=online.guest_actor(booking.patron_id, booking.patron_name),
            action="payment.checkout_started",
            subject=checkout.reference,
            event_id=booking.event_id,
            patron_id=booking.patron_id,
            data={"provider": name, "amount_cents": amount, "currency": booking.currency},
        )
    )
    return checkout


def send_pay_link(ctx: Context, *, by: CrewMember, event_id: str, patron_id: str) -> Booking:
    """Email the patron their guest link to pay the balance online: queues a ``pay_link``
    message and writes a ``payment.link_sent`` audit entry together, then hands the message
    to ``ctx.after_commit``. Once per booking, balance and day (a repeat is a Conflict)."""
    booking = get_booking(ctx, event_id=event_id, patron_id=patron_id)
    event = get_event(ctx, event_id=event_id)
    if not payable_with(ctx, booking, event):
        raise Conflict(
            "Nothing can be paid online for this booking."
            if ctx.providers
            else "Paying online is not set up here.",
            {"balance_cents": booking.balance_cents},
        )
    now = ctx.now()
    message = OutboxMessage(
        id=new_id("msg"),
        dedup_key=f"{ob.PAY_LINK}:{event_id}:{patron_id}:{booking.amount_paid_cents}:{now.date()}",
        kind=ob.PAY_LINK,
        to=booking.patron_email,
        payload={"balance_cents": booking.balance_cents},
        created_at=now,
        next_attempt_at=now,
        event_id=event_id,
        patron_id=patron_id,
    )
    entry = audit.entry(
        ctx,
        actor=actor_of(by),
        action="payment.link_sent",
        subject=message.id,
        event_id=event_id,
        patron_id=patron_id,
        data={"balance_cents": booking.balance_cents, "to": booking.patron_email},
    )
    try:
        ctx.store.add_outbox_message(message, entry)
    except DuplicateKey:
        raise Conflict(
            "A pay link for this balance was already sent today.", {"patron_id": patron_id}
        ) from None
    ctx.after_commit([message])
    return booking


@dataclass
class WebhookResult:
    recorded: list[str] = field(default_factory=list)  # ledger entry ids written now
    repeated: list[str] = field(default_factory=list)  # provider ids already on the ledger
    kept: list[str] = field(default_factory=list)  # unmatched or parked provider ids


def receive_webhook(
    ctx: Context, *, provider: str, body: bytes, headers: Mapping[str, str]
) -> WebhookResult:
    """Verify a provider's webhook and record what it reports: a completed payment is logged
    (audit entry, receipt email) and any refund parked for it applied; a confirmed refund is
    recorded against its payment. Unmatched money is kept, never dropped. ``BadSignature``
    (nothing changes) when it does not verify; NotFound for a provider not configured."""
    adapter = ctx.providers.get(provider)
    if adapter is None:
        raise NotFound("This payment provider is not configured.", {"provider": provider})
    result = WebhookResult()
    for money in adapter.parse_webhook(body, headers):
        if money.kind == "payment":
            _payment(ctx, money, result)
        else:
            _refund(ctx, money, result)
    return result


def _keep(ctx: Context, money: ProviderMoney, status: str, reason: str, out: WebhookResult) -> None:
    event_id, patron_id = money.booking or (None, None)
    txn = ProviderTransaction(
        id=online.provider_key(money.provider, money.reference),
        provider=money.provider,
        kind=money.kind,
        reference=money.reference,
        parent_reference=money.parent_reference,
        amount_cents=money.amount_cents,
        currency=money.currency,
        status=status,
        reason=reason[:500],
        received_at=ctx.now(),
        provider_event=money.provider_event,
        event_id=event_id,
        patron_id=patron_id,
    )
    with suppress(DuplicateKey):  # kept by an earlier delivery
        ctx.store.add_provider_transaction(
            txn,
            audit.entry(
                ctx,
                actor=online.provider_actor(money.provider),
                action=f"provider.{status}",
                subject=txn.id,
                event_id=event_id,
                patron_id=patron_id,
                data={"amount_cents": money.amount_cents, "reason": txn.reason},
            ),
        )
    out.kept.append(money.reference)


def _payment(ctx: Context, money: ProviderMoney, out: WebhookResult) -> None:
    key = online.provider_key(money.provider, money.reference)
    if ctx.store.get_payment_by_key(key) is not None:
        out.repeated.append(money.reference)
    elif money.booking is None:
        _keep(ctx, money, online.UNMATCHED, "The payment names no booking.", out)
    else:
        event_id, patron_id = money.booking
        req = PaymentRequest(
            patron_id=patron_id,
            amount_cents=money.amount_cents,
            method=PaymentMethod(money.provider),
            reference=money.reference,
            note=f"Paid online ({money.provider_event})"[:500],
            currency=money.currency,
        )
        try:
            logged = log_payment(
                ctx,
                by=online.provider_actor(money.provider),
                event_id=event_id,
                req=req,
                idempotency_key=key,
            )
        except (Invalid, Conflict, NotFound) as err:
            _keep(ctx, money, online.UNMATCHED, err.message, out)
            return
        (out.recorded if logged.created else out.repeated).append(logged.payment.id)
    for txn in ctx.store.list_provider_transactions(parent_reference=money.reference):
        if txn.kind == "refund":
            _refund(ctx, online.money_of(txn), out)


def _refund(ctx: Context, money: ProviderMoney, out: WebhookResult) -> None:
    key = online.provider_key(money.provider, money.reference)
    if ctx.store.get_payment_by_key(key) is not None:
        out.repeated.append(money.reference)
        return
    paid = ctx.store.get_payment_by_key(online.provider_key(money.provider, money.parent_reference))
    if paid is None:
        _keep(ctx, money, online.PARKED, "The refund arrived before its payment.", out)
        return
    done = record_refund(
        ctx,
        by=online.provider_actor(money.provider),
        payment=paid,
        amount_cents=money.amount_cents,
        reason=money.reason or f"Refunded through {online.provider_actor(money.provider).name}",
        reference=money.reference,
        key=key,
        confirmed=True,
    )
    if done.refund is not None:
        (out.recorded if done.created else out.repeated).append(done.refund.id)
