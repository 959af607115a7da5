"""Logging and voiding payments: production's payment feature."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..domain import bookings as rules
from ..domain import outbox as ob
from ..domain import payments as pay
from ..domain import refunds as refund_rules
from ..domain import refusals
from ..domain.errors import Conflict, DomainError, DuplicateKey, Forbidden, Invalid, NotFound
from ..domain.models import (
    Actor,
    AuditEntry,
    Booking,
    CrewMember,
    Payment,
    PaymentMethod,
    evolve,
    new_id,
)
from ..domain.occurred import occurred_time
from ..storage.base import PaymentWrite
from . import audit
from .access import actor_of, require_manager
from .bookings import get_booking, not_on_event
from .context import Context, retry_stale
from .events import get_event
from .outbox import payment_message
from .views import booking_view

MAX_BATCH = 100


@dataclass(frozen=True)
class Logged:
    payment: Payment
    booking: Booking
    created: bool  # False when an idempotency key replayed an earlier result
    receipt_email: str | None = ob.QUEUED  # the patron's latest receipt email status


@dataclass(frozen=True)
class PaymentRequest:
    patron_id: str
    amount_cents: int | None  # None in a batch: the balance left
    method: PaymentMethod
    reference: str = ""
    note: str = ""
    currency: str | None = None
    occurred_at: datetime | None = None  # taken offline: when it happened (else now)


def _check_text(req: PaymentRequest) -> None:
    for name in ("reference", "note"):
        if len(getattr(req, name)) > pay.MAX_TEXT:
            raise Invalid(
                f"The {name} is longer than {pay.MAX_TEXT} characters.",
                {name: len(getattr(req, name))},
            )


def _replay(ctx: Context, existing: Payment, event_id: str, req: PaymentRequest) -> Logged:
    """The first result for a repeated idempotency key, if the request is identical to the
    one that logged it; Conflict naming the fields that differ otherwise."""
    differs = pay.replay_differences(
        existing,
        event_id=event_id,
        patron_id=req.patron_id,
        amount_cents=req.amount_cents,
        method=req.method,
        reference=req.reference,
        note=req.note,
        currency=req.currency,
    )
    if differs:
        raise Conflict(
            f"This Idempotency-Key was used for a different payment ({', '.join(differs)} "
            "differs).",
            {"payment": payment_json(existing), "differs": differs},
        )
    view = booking_view(ctx, get_booking(ctx, event_id=event_id, patron_id=req.patron_id))
    return Logged(existing, view.booking, created=False, receipt_email=view.receipt_email)


def payment_json(p: Payment) -> dict[str, object]:
    return {
        "id": p.id,
        "amount_cents": p.amount_cents,
        "method": p.method.value,
        "logged_by": p.logged_by_name,
        "logged_at": p.logged_at.isoformat(),
        "receipt_no": p.receipt_no,
    }


def _prepare(
    ctx: Context,
    *,
    by: CrewMember | Actor,
    booking: Booking,
    history: Sequence[Payment],
    req: PaymentRequest,
    key: str | None,
) -> PaymentWrite:
    """Validate one payment against ``booking`` and its payments ``history`` (as just read)
    and return the write to make. Without an idempotency key, the same amount and method
    within 60 seconds is a Conflict naming the earlier payment."""
    _check_text(req)
    event_id = booking.event_id
    now = ctx.now()
    amount = booking.balance_cents if req.amount_cents is None else req.amount_cents
    at = occurred_time(req.occurred_at, now=now, window_hours=ctx.settings.offline_window_hours)
    duplicate = (
        None
        if key
        else pay.find_recent_duplicate(history, amount_cents=amount, method=req.method, now=now)
    )
    if duplicate is not None:
        raise Conflict(
            "This payment was already logged less than a minute ago.",
            {"payment": payment_json(duplicate)},
        )
    if req.method == PaymentMethod.COMP and not (isinstance(by, CrewMember) and by.role.manages):
        role = by.role.value if isinstance(by, CrewMember) else by.label
        raise Forbidden(
            "Only an admin or captain can comp a booking; ask one of them.", {"role": role}
        )
    pay.check_payment_request(
        booking, amount_cents=amount, method=req.method, currency=req.currency, note=req.note
    )
    payment = Payment(
        id=new_id("pay"),
        event_id=event_id,
        patron_id=req.patron_id,
        amount_cents=amount,
        currency=booking.currency,
        method=req.method,
        reference=req.reference.strip(),
        note=req.note.strip(),
        logged_by=by.id,
        logged_by_name=by.name,
        logged_at=at,
        idempotency_key=key,
    )
    settled = pay.settle(booking, [*history, payment], now=at)
    return PaymentWrite(payment, settled, booking.version)


def _entry(
    ctx: Context,
    by: CrewMember | Actor,
    w: PaymentWrite,
    batch: str | None = None,
    *,
    sent_later: bool = False,
) -> AuditEntry:
    """The payment's audit entry; one ``sent_later`` (taken offline) records both times."""
    p = w.payment
    entry = audit.entry(
        ctx,
        actor=actor_of(by),
        action="payment.logged",
        subject=p.id,
        event_id=p.event_id,
        patron_id=p.patron_id,
        data={
            "payment_id": p.id,
            "amount_cents": p.amount_cents,
            "currency": p.currency,
            "method": p.method.value,
            "reference": p.reference,
            "note": p.note,
            "batch": batch,
            "amount_paid_cents": w.booking.amount_paid_cents,
            "payment_cleared": w.booking.payment_cleared,
        },
    )
    if not sent_later:
        return entry
    received = {"occurred_at": p.logged_at.isoformat(), "received_at": entry.at.isoformat()}
    return dataclasses.replace(entry, data={**entry.data, **received})


def read_payable(ctx: Context, *, event_id: str, patron_id: str) -> tuple[Booking, list[Payment]]:
    """The one read of logging a payment: the booking on an open event and its payments.
    NotFound (unknown event, patron not on it), Conflict (event not open)."""
    state = ctx.store.get_payment_state(event_id, patron_id)
    if state is None:
        raise refusals.no_such_event(event_id)
    rules.check_open(state.event)
    if state.booking is None:
        raise not_on_event(event_id, patron_id)
    return state.booking, state.payments


def log_payment(
    ctx: Context,
    *,
    by: CrewMember | Actor,
    event_id: str,
    req: PaymentRequest,
    idempotency_key: str | None = None,
) -> Logged:
    """Record a payment, re-settle the booking (``payment_cleared`` once paid >= due),
    write an audit entry and queue the patron's receipt email, all in one transaction;
    then hand the email to ``ctx.after_commit``.

    With an idempotency key a repeat returns the first result (created=False). Without
    one, the same amount and method for the same booking within 60 seconds is refused
    with Conflict naming the earlier payment. ``by`` is a crew member, or a provider's actor
    for a payment its webhook reports. A request's ``occurred_at`` (taken offline) is the
    payment's ``logged_at``; its audit entry records that and when it was received.
    """
    if req.amount_cents is None:
        raise Invalid("amount_cents is required.")
    if req.method == PaymentMethod.CREDIT:  # paid from the patron's credit ledger
        from .credits import pay_with_credit

        return pay_with_credit(
            ctx, by=by, event_id=event_id, req=req, idempotency_key=idempotency_key
        )

    def replayed() -> Logged | None:
        """The first result of this request's idempotency key, if it logged a payment."""
        existing = ctx.store.get_payment_by_key(idempotency_key) if idempotency_key else None
        return _replay(ctx, existing, event_id, req) if existing is not None else None

    def attempt() -> Logged:
        # One read (the event, the booking and its payments); the key is not looked up
        # first: the write is conditional on it, and a taken key, or a refusal (a repeat
        # after another phone's payment with this key settled the booking), replays it.
        booking, history = read_payable(ctx, event_id=event_id, patron_id=req.patron_id)
        try:
            write = _prepare(
                ctx, by=by, booking=booking, history=history, req=req, key=idempotency_key
            )
        except DomainError:
            if (first := replayed()) is not None:
                return first
            raise
        mail = payment_message(ctx, payment=write.payment, booking=write.booking, kind=ob.RECEIPT)
        try:
            entry = _entry(ctx, by, write, sent_later=req.occurred_at is not None)
            [stored] = ctx.store.add_payments([write], [entry], [mail])
        except DuplicateKey:
            if (first := replayed()) is not None:
                return first  # this key's payment was logged first (maybe concurrently)
            raise
        ctx.after_commit([mail])
        return Logged(stored, evolve(write.booking, version=write.expected_version + 1), True)

    return retry_stale(attempt)


def log_batch(
    ctx: Context,
    *,
    by: CrewMember,
    event_id: str,
    requests: Sequence[PaymentRequest],
    idempotency_key: str | None = None,
) -> list[Logged]:
    """Log payments for several patrons of one event at once: all of them or none.
    Each payment is attributed to ``by`` and gets its own audit entry. An item without
    an amount pays the balance left. Queues one receipt email per patron in the same
    transaction and hands them to ``ctx.after_commit``. With an idempotency key a repeat
    returns the first results (and queues nothing)."""
    if not 1 <= len(requests) <= MAX_BATCH:
        raise Invalid(f"A batch holds 1 to {MAX_BATCH} payments.", {"count": len(requests)})
    if any(r.method == PaymentMethod.CREDIT for r in requests):
        raise Invalid("Credit is spent one booking at a time, not in a batch.")
    patrons = [r.patron_id for r in requests]
    if len(set(patrons)) != len(patrons):
        raise Invalid("A patron appears twice in the batch.", {"patron_ids": patrons})
    rules.check_open(get_event(ctx, event_id=event_id))
    keys = [f"{idempotency_key}:{p}" if idempotency_key else None for p in patrons]
    batch_id = new_id("bat")

    def attempt() -> list[Logged]:
        # The bookings are read before the keys: if another phone's batch with this key
        # commits in between, our write is stale and the retry replays it.
        bookings = []
        for req in requests:
            try:
                bookings.append(get_booking(ctx, event_id=event_id, patron_id=req.patron_id))
            except NotFound as err:
                raise NotFound(
                    f"{req.patron_id}: {err.message}", {**err.details, "patron_id": req.patron_id}
                ) from None
        if idempotency_key:
            found = [ctx.store.get_payment_by_key(k) for k in keys if k]
            if any(found):
                if not all(found):
                    raise Conflict("This Idempotency-Key was used for a different batch.")
                return [
                    _replay(ctx, p, event_id, r) for p, r in zip(found, requests, strict=True) if p
                ]
        writes = []
        for req, key, booking in zip(requests, keys, bookings, strict=True):
            try:
                history = ctx.store.list_payments(event_id, req.patron_id)
                writes.append(
                    _prepare(ctx, by=by, booking=booking, history=history, req=req, key=key)
                )
            except (Invalid, Conflict, NotFound) as err:
                raise type(err)(
                    f"{req.patron_id}: {err.message}", {**err.details, "patron_id": req.patron_id}
                ) from None
        mails = [
            payment_message(ctx, payment=w.payment, booking=w.booking, kind=ob.RECEIPT)
            for w in writes
        ]
        try:
            stored = ctx.store.add_payments(
                writes,
                [
                    _entry(ctx, by, w, batch_id, sent_later=r.occurred_at is not None)
                    for w, r in zip(writes, requests, strict=True)
                ],
                mails,
            )
        except DuplicateKey:
            if idempotency_key:
                return attempt()
            raise
        ctx.after_commit(mails)
        return [
            Logged(p, dataclasses.replace(w.booking, version=w.expected_version + 1), True)
            for p, w in zip(stored, writes, strict=True)
        ]

    return retry_stale(attempt)


def void_payment(ctx: Context, *, by: CrewMember, payment_id: str, reason: str) -> Logged:
    """Void a payment with a reason (admins and captains). The payment stays on record;
    the booking's balance re-opens. Writes an audit entry and queues the patron's
    correction email in the same transaction, then hands it to ``ctx.after_commit``."""
    require_manager(by)

    def attempt() -> Logged:
        payment = ctx.store.get_payment(payment_id)
        if payment is None:
            raise NotFound("No such payment.", {"payment_id": payment_id})
        why = pay.check_void(payment, reason)
        booking = get_booking(ctx, event_id=payment.event_id, patron_id=payment.patron_id)
        now = ctx.now()
        voided = dataclasses.replace(payment, voided_at=now, voided_by=by.id, void_reason=why)
        history = [
            voided if p.id == payment.id else p
            for p in ctx.store.list_payments(payment.event_id, payment.patron_id)
        ]
        refund_rules.check_voidable(payment, history)
        settled = pay.settle(booking, history, now=now)
        write = PaymentWrite(voided, settled, booking.version)
        mail = payment_message(ctx, payment=voided, booking=settled, kind=ob.VOID)
        ctx.store.void_payment(
            payment,
            write,
            audit.entry(
                ctx,
                actor=actor_of(by),
                action="payment.voided",
                subject=payment.id,
                event_id=payment.event_id,
                patron_id=payment.patron_id,
                data={
                    "payment_id": payment.id,
                    "amount_cents": payment.amount_cents,
                    "reason": why,
                    "amount_paid_cents": settled.amount_paid_cents,
                    "payment_cleared": settled.payment_cleared,
                },
            ),
            [mail],
        )
        ctx.after_commit([mail])
        return Logged(voided, dataclasses.replace(settled, version=booking.version + 1), True)

    return retry_stale(attempt)


def payment_status(ctx: Context, *, event_id: str, patron_id: str) -> tuple[Booking, list[Payment]]:
    """The booking's payment state and its payments, oldest first. Changes nothing."""
    booking = get_booking(ctx, event_id=event_id, patron_id=patron_id)
    return booking, ctx.store.list_payments(event_id, patron_id)


def get_payment(ctx: Context, *, payment_id: str) -> Payment:
    payment = ctx.store.get_payment(payment_id)
    if payment is None:
        raise NotFound("No such payment.", {"payment_id": payment_id})
    return payment
