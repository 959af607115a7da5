"""What a settlement plan did to a patron's booking, as their guest page shows it, and
the choices left to them there: keep a proposed move or choose another departure, take a
refund instead of credit (when the operator allows it), book another departure with their
credit, or cancel a booking whose departure moved in time."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from ..domain import credits as ledger
from ..domain import payments as pay
from ..domain import settlements as rules
from ..domain.errors import Conflict, DuplicateKey, Invalid, StaleWrite
from ..domain.models import Actor, ActorKind, Booking, BookingStatus
from ..domain.models import new_guest_token as new_token
from ..storage.base import LedgerWrite
from . import audit
from .booking_mail import booked_message
from .context import Context, retry_stale
from .departures import Option, departures_with_room
from .settlement_run import run_plan, waivers_carry
from .settlements import rebook
from .waivers import booking_for_token

ACCEPT, REFUND, CANCEL, OTHER = "accept", "refund", "cancel", "other"


@dataclass(frozen=True)
class GuestSettlement:
    """The patron's step of the latest plan of their booking's departure."""

    plan: rules.Plan
    step: rules.Step
    moved_url: str  # the new booking's page, after a move
    credit_cents: int  # the patron's credit now, in the booking's currency
    credit_expires_at: datetime | None
    options: tuple[Option, ...] = ()  # departures with room, while a move or credit is open

    @property
    def can_accept(self) -> bool:
        return self.step.action == rules.MOVE and self._open

    @property
    def can_ask_refund(self) -> bool:
        credited = int(self.step.outcome.get("credited") or 0)
        return (
            self.step.action == rules.CREDIT
            and self.plan.allow_refund_request
            and credited > 0
            and self.credit_cents >= credited
            and self._open
        )

    @property
    def can_book(self) -> bool:
        """A credited patron may book another departure with their credit (once, here)."""
        return self.step.action == rules.CREDIT and self.credit_cents > 0 and self._open

    @property
    def can_cancel(self) -> bool:
        return self.step.action == rules.KEEP and self._open

    @property
    def _open(self) -> bool:
        return self.step.state == rules.DONE and not self.step.choice


def guest_settlement(ctx: Context, *, booking: Booking) -> GuestSettlement | None:
    """The latest plan step of this booking, or None. Changes nothing."""
    found = [
        (p, s)
        for p in ctx.store.list_plans(booking.event_id)
        if (s := p.step(booking.patron_id)) is not None
    ]
    if not found:
        return None
    plan, step = found[-1]
    moved_url = ""
    options: tuple[Option, ...] = ()
    now_on = str(step.outcome.get("chosen") or step.outcome.get("moved_to") or "")
    if now_on and step.state == rules.DONE:
        moved = ctx.store.get_booking(now_on, booking.patron_id)
        moved_url = f"{ctx.settings.public_url}/g/{moved.guest_token}" if moved else ""
    entries = ctx.store.list_credits(booking.patron_id)
    now = ctx.now()
    credit = ledger.balance(entries, booking.currency, now)
    open_now = step.state == rules.DONE and not step.choice
    source = ""  # the departure the options are near: the moved-to one, or the cancelled one
    if open_now and step.action == rules.MOVE:
        source = now_on
    elif open_now and step.action == rules.CREDIT and credit > 0:
        source = booking.event_id
    target = ctx.store.get_event(source) if source else None
    if target is not None:
        exclude = frozenset({booking.event_id, target.id})
        options = tuple(
            departures_with_room(ctx, event=target, party_size=booking.party_size, exclude=exclude)
        )
    live = [
        lot for lot in ledger.lots(entries, booking.currency) if lot.live(now) and lot.left_cents
    ]
    return GuestSettlement(
        plan,
        step,
        moved_url,
        credit,
        min((lot.entry.expires_at for lot in live if lot.entry.expires_at), default=None),
        options,
    )


def choose_departure(ctx: Context, *, token: str, move_to: str) -> rules.Plan:
    """The patron moves on from a proposed move to another departure with room (one of
    ``GuestSettlement.options``): a rebooking plan of their booking there, run at once (its
    own email), then their step records the choice. Conflict when the move is not open or
    the departure not offered."""
    booking = booking_for_token(ctx, token=token)
    actor = Actor(ActorKind.GUEST, booking.patron_id, booking.patron_name)
    view = guest_settlement(ctx, booking=booking)
    if view is None or not view.can_accept:
        raise Conflict("There is no move to change for this booking.")
    if move_to not in {o.event.id for o in view.options}:
        raise Conflict("That departure is not offered.", {"move_to": move_to})
    now_on = str(view.step.outcome.get("moved_to"))
    done = rebook(
        ctx,
        actor=actor,
        event_id=now_on,
        patron_id=booking.patron_id,
        move_to=move_to,
        reprice=view.step.reprice,
        reason="Chosen by the patron",
        message=view.plan.message,
    )
    if done.steps[0].state != rules.DONE:
        raise Conflict(f"That departure could not be booked: {done.steps[0].error}")

    def record() -> None:
        fresh = guest_settlement(ctx, booking=booking)
        if fresh is None or fresh.step.choice:
            return
        outcome = {**fresh.step.outcome, "chosen": move_to}
        changed = dataclasses.replace(fresh.step, choice=rules.CHOSE_OTHER, outcome=outcome)
        entry = audit.entry(
            ctx,
            actor=actor,
            action="settlement.patron_other",
            subject=fresh.plan.id,
            event_id=fresh.plan.event_id,
            patron_id=booking.patron_id,
            data={"plan_id": fresh.plan.id, "rebooking": done.id, "move_to": move_to},
        )
        again = rules.with_step(fresh.plan, changed, now=ctx.now())
        ctx.store.commit_ledger(
            LedgerWrite(plan=again, plan_version=fresh.plan.version, audit=[entry])
        )

    retry_stale(record)
    return done


def choose(ctx: Context, *, token: str, choice: str, move_to: str = "") -> rules.Plan:
    """Carry out the patron's choice (``accept``, ``refund``, ``cancel``) for their step,
    with an audit entry naming the guest: accepting only records it; a refund instead of
    credit withdraws the credit and turns the step into a refund in one write, then runs it
    (through the provider for card payments; other money is left for crew to hand back);
    cancelling a shifted booking does the same with its payments. Conflict when the choice
    is not open (made already, credit spent, not allowed). ``other`` with ``move_to``:
    ``book_with_credit`` for credit, else ``choose_departure``."""
    if choice == OTHER:
        view = guest_settlement(ctx, booking=booking_for_token(ctx, token=token))
        if view is not None and view.can_book:
            book_with_credit(ctx, token=token, move_to=move_to)
            return view.plan
        return choose_departure(ctx, token=token, move_to=move_to)
    booking = booking_for_token(ctx, token=token)
    actor = Actor(ActorKind.GUEST, booking.patron_id, booking.patron_name)

    def attempt() -> rules.Plan:
        view = guest_settlement(ctx, booking=booking)
        if view is None:
            raise Conflict("There is nothing to choose for this booking.")
        plan, step = view.plan, view.step
        credits: list[ledger.CreditEntry] = []
        if choice == ACCEPT and view.can_accept:
            changed = dataclasses.replace(step, choice=rules.ACCEPTED)
        elif choice == REFUND and view.can_ask_refund:
            entries = ctx.store.list_credits(booking.patron_id)
            withdrawn = ledger.use(
                entries,
                patron_id=booking.patron_id,
                amount_cents=int(step.outcome["credited"]),
                currency=booking.currency,
                at=ctx.now(),
                by=actor.label,
                event_id=booking.event_id,
                payment_id="",
                note="A refund instead of credit",
            )
            credits = [withdrawn]
            changed = _to_refund(step, rules.REFUND_ASKED)
        elif choice == CANCEL and view.can_cancel:
            current = ctx.store.get_booking(booking.event_id, booking.patron_id)
            if current is None or current.status == BookingStatus.CANCELLED:
                raise Conflict("This booking is cancelled already.")
            changed = _to_refund(step, rules.CANCELLED_BY_PATRON)
        elif choice in (ACCEPT, REFUND, CANCEL):
            raise Conflict("This choice is not open for this booking.", {"choice": choice})
        else:
            raise Invalid("Unknown choice.", {"choice": choice})
        entry = audit.entry(
            ctx,
            actor=actor,
            action=f"settlement.patron_{choice}",
            subject=plan.id,
            event_id=plan.event_id,
            patron_id=booking.patron_id,
            data={"plan_id": plan.id, "action": step.action},
        )
        again = rules.with_step(plan, changed, now=ctx.now())
        if changed.state == rules.PENDING:
            again = dataclasses.replace(again, finished_at=None)
        ctx.store.commit_ledger(
            LedgerWrite(plan=again, plan_version=plan.version, credits=credits, audit=[entry])
        )
        return again

    try:
        plan = retry_stale(attempt)
    except StaleWrite:
        raise Conflict("The booking changed meanwhile; reload the page.") from None
    if choice == ACCEPT:
        return plan
    return run_plan(ctx, event_id=plan.event_id, plan_id=plan.id, by=actor)


def _to_refund(step: rules.Step, why: str) -> rules.Step:
    return dataclasses.replace(step, action=rules.REFUND, state=rules.PENDING, choice=why)


def book_with_credit(ctx: Context, *, token: str, move_to: str) -> Booking:
    """The credited patron books another departure with room (one of
    ``GuestSettlement.options``): a new booking there at its price, paid from their credit
    as far as it goes (a ``credit`` payment and the ledger's ``used`` entry, ``expired``
    entries for lots that ran out), their step's choice, an audit entry naming the guest
    and the booking email, in one write. Conflict when there is no credit to book with,
    the departure is not offered or has filled, or the patron is booked there already."""
    booking = booking_for_token(ctx, token=token)
    actor = Actor(ActorKind.GUEST, booking.patron_id, booking.patron_name)

    def attempt() -> Booking:
        view = guest_settlement(ctx, booking=booking)
        if view is None or not view.can_book:
            raise Conflict("There is no credit to book another departure with.")
        target = next((o.event for o in view.options if o.event.id == move_to), None)
        if target is None:
            raise Conflict("That departure is not offered.", {"move_to": move_to})
        event = ctx.store.get_event(booking.event_id)
        now = ctx.now()
        keep = event is not None and waivers_carry(ctx, event, target, booking)
        new = rules.moved_booking(
            booking, target, token=new_token(), now=now, reprice=True, keep_waivers=keep
        )
        entries = ctx.store.list_credits(booking.patron_id)
        credits = ledger.expirations(entries, now, by=actor.label)
        spend = min(view.credit_cents, new.amount_due_cents)
        payments = []
        if spend > 0:
            payment, used = ledger.pay_from_credit(
                [*entries, *credits],
                patron_id=booking.patron_id,
                event_id=target.id,
                amount_cents=spend,
                currency=booking.currency,
                reference=view.plan.id,
                note="Credit chosen by the patron",
                at=now,
                by=actor,
            )
            payments, credits = [payment], [*credits, used]
        new = pay.settle(new, payments, now=now)
        outcome = {**view.step.outcome, "chosen": target.id, "chosen_title": target.title}
        changed = dataclasses.replace(view.step, choice=rules.CHOSE_OTHER, outcome=outcome)
        entry = audit.entry(
            ctx,
            actor=actor,
            action="settlement.patron_booked",
            subject=view.plan.id,
            event_id=view.plan.event_id,
            patron_id=booking.patron_id,
            data={"plan_id": view.plan.id, "event_id": target.id, "paid_from_credit": spend},
        )
        mail = booked_message(ctx, new)
        ctx.store.commit_ledger(
            LedgerWrite(
                new_booking=new,
                capacity=target.capacity,
                payments=payments,
                credits=credits,
                plan=rules.with_step(view.plan, changed, now=now),
                plan_version=view.plan.version,
                audit=[entry],
                outbox=[mail],
            )
        )
        ctx.after_commit([mail])
        return new

    try:
        return retry_stale(attempt)
    except DuplicateKey:
        raise Conflict("You have a booking on that departure already.") from None
    except StaleWrite:
        raise Conflict("Your credit changed meanwhile; reload the page.") from None
