"""Running a stored settlement plan, one party at a time.

Each party's step is one ledger write (``Store.commit_ledger``): the booking cancelled (or
moved), the refund or credit entries, the step marked done in the plan, its audit entry and
the party's one email, all on the condition that the plan is still at the version read. A
second runner, a repeat or a run after a crash therefore finds the step done and skips it.
A provider refund is asked before that write with an idempotency key of its own (plan,
party, payment) and noted in the plan at once, so it is asked again only if the runner
stopped between the provider's answer and that note, and then the provider sees the
same key.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from ..domain import credits as ledger
from ..domain import payments as pay
from ..domain import refunds as refund_rules
from ..domain import settlements as rules
from ..domain.errors import Conflict, DomainError, DuplicateKey, Invalid, NotFound, StaleWrite
from ..domain.models import Actor, Booking, BookingStatus, Event, Payment, PaymentMethod
from ..domain.models import new_guest_token as new_token
from ..domain.seats import signature_ids
from ..storage.base import LedgerWrite
from . import audit
from .context import Context
from .settlement_mail import settlement_message

log = logging.getLogger("shipcaptaincrew.settlements")
PERMANENT = (Conflict, Invalid, NotFound)


def run_plan(ctx: Context, *, event_id: str, plan_id: str, by: Actor, limit: int = 0) -> rules.Plan:
    """Run every pending step of the plan (at most ``limit`` when given, for a partial run)
    and return the plan as stored. A step that cannot be done (no room left on the target,
    a provider not set up) is marked ``failed`` with the reason: an open item. A provider
    that cannot be reached leaves its step pending for the next run."""
    plan = _plan(ctx, event_id, plan_id)
    done = 0
    for step in plan.steps:
        if step.state != rules.PENDING:
            continue
        if limit and done >= limit:
            break
        _run_step(ctx, plan_id=plan_id, event_id=event_id, patron_id=step.patron_id, by=by)
        done += 1
    return _plan(ctx, event_id, plan_id)


def _plan(ctx: Context, event_id: str, plan_id: str) -> rules.Plan:
    plan = ctx.store.get_plan(event_id, plan_id)
    if plan is None:
        raise NotFound("No such plan.", {"plan_id": plan_id})
    return plan


def _run_step(ctx: Context, *, plan_id: str, event_id: str, patron_id: str, by: Actor) -> None:
    for _attempt in range(8):
        plan = _plan(ctx, event_id, plan_id)
        step = plan.step(patron_id)
        if step is None or step.state != rules.PENDING:
            return
        try:
            write = _step_write(ctx, plan, step, by)
        except DomainError as err:
            if isinstance(err, StaleWrite):
                continue
            permanent = isinstance(err, PERMANENT)
            if _note_error(ctx, plan, step, by, err, permanent=permanent):
                return
            continue
        try:
            ctx.store.commit_ledger(write)
        except StaleWrite:
            continue
        except (Conflict, DuplicateKey) as err:
            if _note_error(ctx, plan, step, by, err, permanent=True):
                return
            continue
        ctx.after_commit(list(write.outbox))
        return


def _note_error(
    ctx: Context,
    plan: rules.Plan,
    step: rules.Step,
    by: Actor,
    err: DomainError,
    *,
    permanent: bool,
) -> bool:
    """Keep the reason on the step: failed (an open item) or still pending (retried by the
    next run). False when the plan changed meanwhile (the caller reads it again)."""
    state = rules.FAILED if permanent else rules.PENDING
    changed = dataclasses.replace(step, state=state, error=err.message[:300])
    entry = audit.entry(
        ctx,
        actor=by,
        action="settlement.failed" if permanent else "settlement.deferred",
        subject=plan.id,
        event_id=plan.event_id,
        patron_id=step.patron_id,
        data={"action": step.action, "error": err.message[:300]},
    )
    try:
        ctx.store.commit_ledger(
            LedgerWrite(
                plan=rules.with_step(plan, changed, now=ctx.now()),
                plan_version=plan.version,
                audit=[entry],
            )
        )
    except StaleWrite:
        return False
    log.warning("settlement %s step %s: %s", plan.id, step.patron_id, err.message)
    return True


def _step_write(ctx: Context, plan: rules.Plan, step: rules.Step, by: Actor) -> LedgerWrite:
    booking = ctx.store.get_booking(plan.event_id, step.patron_id)
    event = ctx.store.get_event(plan.event_id)
    if booking is None or event is None:
        raise NotFound("The booking of this step does not exist.", {"patron_id": step.patron_id})
    now = ctx.now()
    part: dict[str, Any]
    if step.action == rules.KEEP:
        part = {"outcome": {"kept": True}}
    elif step.action == rules.CREDIT:
        part = _credit(ctx, plan, booking, by)
    elif step.action == rules.REFUND:
        part = _refund(ctx, plan, step, booking, by)
    else:
        part = _move(ctx, plan, step, event, booking, by)
    outcome = {**step.outcome, **part.pop("outcome")}
    done = dataclasses.replace(step, state=rules.DONE, done_at=now, error="", outcome=outcome)
    mail = settlement_message(ctx, plan=plan, booking=booking, choice=step.choice)
    entry = audit.entry(
        ctx,
        actor=by,
        action=f"settlement.{step.action}",
        subject=plan.id,
        event_id=plan.event_id,
        patron_id=step.patron_id,
        data={"plan_id": plan.id, **outcome},
    )
    entries = [entry]
    if "new_booking" in part:
        # The departure moved to gains a booking: an entry of its own moves that roster's
        # change marker (services/live.py), so its phones and kept rosters see the party.
        entries.append(
            audit.entry(
                ctx,
                actor=by,
                action="settlement.moved_in",
                subject=plan.id,
                event_id=part["new_booking"].event_id,
                patron_id=step.patron_id,
                data={"plan_id": plan.id, "moved_from": plan.event_id},
            )
        )
    return LedgerWrite(
        plan=rules.with_step(plan, done, now=now),
        plan_version=plan.version,
        audit=entries,
        outbox=[mail],
        **part,
    )


def _cancel(booking: Booking, now: Any) -> list[tuple[Booking, int]]:
    if booking.status == BookingStatus.CANCELLED:
        return []
    return [(rules.cancelled(booking, now), booking.version)]


def _issue(
    ctx: Context, plan: rules.Plan, booking: Booking, cents: int, by: Actor, *, seq_after: int = 0
) -> list[ledger.CreditEntry]:
    if cents <= 0:
        return []
    entries = ctx.store.list_credits(booking.patron_id)
    expires = plan.credit_expires_at or ledger.expiry(ctx.now(), ledger.DEFAULT_VALID_DAYS)
    entry = ledger.issue(
        entries,
        patron_id=booking.patron_id,
        amount_cents=cents,
        currency=booking.currency,
        at=ctx.now(),
        expires_at=expires,
        by=by.label,
        note=f"{plan.reason} ({plan.kind})",
        event_id=booking.event_id,
        plan_id=plan.id,
    )
    return [entry]


def _credit(ctx: Context, plan: rules.Plan, booking: Booking, by: Actor) -> dict[str, Any]:
    credits = _issue(ctx, plan, booking, booking.amount_paid_cents, by)
    return {
        "bookings": _cancel(booking, ctx.now()),
        "credits": credits,
        "outcome": {"credited": booking.amount_paid_cents, "credit_expires_at": _iso(credits)},
    }


def _iso(credits: list[ledger.CreditEntry]) -> str | None:
    return credits[0].expires_at.isoformat() if credits and credits[0].expires_at else None


def _refund(
    ctx: Context, plan: rules.Plan, step: rules.Step, booking: Booking, by: Actor
) -> dict[str, Any]:
    history = ctx.store.list_payments(booking.event_id, booking.patron_id)
    requested = dict(step.outcome.get("requested", {}))
    now = ctx.now()
    entries: list[Payment] = []
    back_to_credit = owed = 0
    # Asked for by the patron online: nobody is there to hand cash back, so what is not
    # refunded through a provider is left owed (an open item for crew).
    online = step.choice in rules.PATRON_CHOICES
    for payment, left in rules.refundable(history):
        if payment.method in refund_rules.PROVIDER_METHODS:
            if payment.id not in requested:
                requested[payment.id] = _ask_provider(ctx, plan, step, payment, left, by)
                # Noted at once: the next read of the plan has it (see the module docstring).
                raise StaleWrite("The plan changed; read it again.")
            continue
        if online and payment.method != PaymentMethod.CREDIT:
            owed += left
            continue
        entry = refund_rules.refund_entry(
            payment,
            amount_cents=left,
            reason=f"{plan.reason} ({plan.kind})",
            by=by,
            at=now,
            key=f"{plan.id}:{step.patron_id}:{payment.id}",
        )
        entries.append(entry)
        if payment.method == PaymentMethod.CREDIT:
            back_to_credit += left
    settled = pay.settle(booking, [*history, *entries], now=now)
    gone = rules.cancelled(settled, now) if booking.status != BookingStatus.CANCELLED else settled
    provider_cents = sum(int(v["cents"]) for v in requested.values())
    return {
        "bookings": [(gone, booking.version)],
        "payments": entries,
        "credits": _issue(ctx, plan, booking, back_to_credit, by),
        "outcome": {
            "refunded": sum(-e.amount_cents for e in entries) - back_to_credit,
            "credited": back_to_credit,
            "requested_cents": provider_cents,
            "requested": requested,
            "methods": sorted({e.method.value for e in entries}),
            "owed_cents": owed,
        },
    }


def _ask_provider(
    ctx: Context, plan: rules.Plan, step: rules.Step, payment: Payment, cents: int, by: Actor
) -> dict[str, Any]:
    """Ask the provider for the refund and note it in the plan with an audit entry."""
    provider = ctx.providers.get(payment.method.value)
    if provider is None:
        raise Conflict(
            f"{pay.method_label(payment.method)} is not set up here: refund it in its dashboard.",
            {"method": payment.method.value},
        )
    refund_id = provider.refund(
        payment_reference=payment.reference,
        amount_cents=cents,
        currency=payment.currency,
        idempotency_key=f"{plan.id}:{step.patron_id}:{payment.id}",
        metadata={
            "event_id": payment.event_id,
            "patron_id": payment.patron_id,
            "payment_id": payment.id,
            "reason": plan.reason,
        },
    )
    noted = {"refund": refund_id, "cents": cents, "method": payment.method.value}
    outcome = {
        **step.outcome,
        "requested": {**step.outcome.get("requested", {}), payment.id: noted},
    }
    changed = dataclasses.replace(step, outcome=outcome)
    entry = audit.entry(
        ctx,
        actor=by,
        action="payment.refund_requested",
        subject=payment.id,
        event_id=payment.event_id,
        patron_id=payment.patron_id,
        data={
            "amount_cents": cents,
            "reason": plan.reason,
            "refund": refund_id,
            "plan_id": plan.id,
        },
    )
    ctx.store.commit_ledger(
        LedgerWrite(
            plan=rules.with_step(plan, changed, now=ctx.now()),
            plan_version=plan.version,
            audit=[entry],
        )
    )
    return noted


def _move(
    ctx: Context, plan: rules.Plan, step: rules.Step, event: Event, booking: Booking, by: Actor
) -> dict[str, Any]:
    target = ctx.store.get_event(step.move_to or "")
    if target is None:
        raise NotFound("The departure to move to does not exist.", {"move_to": step.move_to})
    places = sum(
        b.party_size for b in ctx.store.list_bookings(target.id) if b.status == BookingStatus.BOOKED
    )
    rules.check_target(event, target, booking, places)
    now = ctx.now()
    moved = rules.moved_booking(
        booking,
        target,
        token=new_token(),
        now=now,
        reprice=step.reprice,
        keep_waivers=waivers_carry(ctx, event, target, booking),
    )
    paid = booking.amount_paid_cents
    carried = min(paid, moved.amount_due_cents)
    credits = _issue(ctx, plan, booking, paid, by)
    payments: list[Payment] = []
    if carried > 0:
        payment, used = ledger.pay_from_credit(
            credits,
            patron_id=booking.patron_id,
            event_id=target.id,
            amount_cents=carried,
            currency=booking.currency,
            reference=plan.id,
            note=f"Moved from {event.title}",
            at=now,
            by=by,
            seq=credits[0].seq + 1,
        )
        payments.append(payment)
        credits.append(used)
    moved = pay.settle(moved, payments, now=now)
    return {
        "bookings": _cancel(booking, now),
        "new_booking": moved,
        "capacity": target.capacity,
        "payments": payments,
        "credits": credits,
        "outcome": {
            "moved_to": target.id,
            "moved_to_title": target.title,
            "moved_to_starts_at": target.starts_at.isoformat(),
            "carried": carried,
            "credited": paid - carried,
            "amount_due": moved.amount_due_cents,
            "waivers_kept": moved.waiver_kind is not None or any(s.signed for s in moved.seats),
        },
    }


def waivers_carry(ctx: Context, event: Event, target: Event, booking: Booking) -> bool:
    latest = (
        ctx.store.get_waiver_template(target.waiver_template_id)
        if target.waiver_template_id
        else None
    )
    signed = [ctx.store.get_waiver_signature(i) for i in signature_ids(booking)]
    return rules.waivers_carry(
        event.waiver_template_id,
        target.waiver_template_id,
        latest.version if latest else None,
        [s.template_version for s in signed if s is not None],
    )
