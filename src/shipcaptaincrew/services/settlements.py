"""The weather call: cancel a departure, shift it in time, or rebook one party, with a
settlement plan that tells every party once and settles each one's money.

Each use case stores the plan before it runs (with the event's change, an audit entry and
the task that finishes the plan if this run stops), then runs it (``settlement_run``). The
plan's steps are idempotent, so running it again, by ``run`` or by the outbox sweep,
finishes what is left and changes nothing that is done.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ..domain import bookings as booking_rules
from ..domain import credits as ledger
from ..domain import outbox as ob
from ..domain import settlements as rules
from ..domain.errors import Conflict, Invalid, NotFound
from ..domain.models import (
    SYSTEM,
    Actor,
    BookingStatus,
    CrewMember,
    Event,
    EventStatus,
    OutboxMessage,
    new_id,
)
from ..notify.base import SendError
from ..storage.base import LedgerWrite
from . import audit
from .access import actor_of, require_manager
from .context import Context
from .departures import MAX_OPTIONS, Option, departures
from .events import get_event
from .settlement_mail import run_message
from .settlement_run import run_plan


@dataclass(frozen=True)
class PartyChoice:
    """The operator's decision for one party (``move_to`` for a move)."""

    patron_id: str
    action: str
    move_to: str | None = None
    reprice: bool = False


@dataclass(frozen=True)
class Proposal:
    """One party as the console shows it before confirming."""

    patron_id: str
    name: str
    party_size: int
    status: str
    paid_cents: int
    currency: str
    action: str
    move_to: str | None
    options: list[Option]


def _places(ctx: Context, event_id: str) -> int:
    return sum(
        b.party_size for b in ctx.store.list_bookings(event_id) if b.status == BookingStatus.BOOKED
    )


def propose(ctx: Context, *, by: CrewMember, event_id: str) -> list[Proposal]:
    """For each booked and waitlisted party: the departures with room for it and the plan
    the console proposes (move to the nearest in time with room, else credit). Changes
    nothing."""
    require_manager(by)
    event = get_event(ctx, event_id=event_id)
    near = departures(ctx, event)
    taken: dict[str, int] = {}
    out = []
    for b in rules.settled_parties(ctx.store.list_bookings(event_id)):
        options = []
        for e, held in near:
            room = rules.room(e, held + taken.get(e.id, 0))
            if room is None or room >= b.party_size:
                options.append(Option(e, room))
        first = options[0].event.id if options else None
        if first:
            taken[first] = taken.get(first, 0) + b.party_size
        out.append(
            Proposal(
                b.patron_id,
                b.patron_name,
                b.party_size,
                b.status.value,
                b.amount_paid_cents,
                b.currency,
                rules.MOVE if first else rules.CREDIT,
                first,
                options[:MAX_OPTIONS],
            )
        )
    return out


def _steps(
    ctx: Context, event: Event, choices: Sequence[PartyChoice], default: str
) -> tuple[rules.Step, ...]:
    parties = rules.settled_parties(ctx.store.list_bookings(event.id))
    known = {b.patron_id: b for b in parties}
    chosen = {c.patron_id: c for c in choices}
    if len(chosen) != len(choices):
        raise Invalid("A party appears twice in the plan.")
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        raise Invalid("These patrons have no booking to settle here.", {"patron_ids": unknown})
    if len(parties) > rules.MAX_STEPS:
        raise Invalid(f"A plan settles at most {rules.MAX_STEPS} parties.")
    extra: dict[str, int] = {}
    steps = []
    for b in parties:
        c = chosen.get(b.patron_id) or PartyChoice(b.patron_id, default)
        if c.action not in rules.ACTIONS:
            raise Invalid(f"Unknown action {c.action!r}.", {"patron_id": b.patron_id})
        if c.action == rules.MOVE:
            target = ctx.store.get_event(c.move_to or "")
            if target is None:
                raise Invalid("No such departure to move to.", {"move_to": c.move_to})
            places = _places(ctx, target.id) + extra.get(target.id, 0)
            rules.check_target(event, target, b, places)
            extra[target.id] = extra.get(target.id, 0) + b.party_size
        steps.append(
            rules.Step(
                b.patron_id,
                b.patron_name,
                b.party_size,
                b.status.value,
                c.action,
                c.move_to if c.action == rules.MOVE else None,
                c.reprice and c.action == rules.MOVE,
            )
        )
    return tuple(steps)


def _store_and_run(
    ctx: Context, *, actor: Actor, plan: rules.Plan, event: tuple[Event, int] | None
) -> rules.Plan:
    if not plan.steps:  # nobody to settle: done as it is stored
        plan = dataclasses.replace(plan, finished_at=ctx.now())
    entry = audit.entry(
        ctx,
        actor=actor,
        action=f"settlement.planned.{plan.kind}",
        subject=plan.id,
        event_id=plan.event_id,
        data={
            "reason": plan.reason,
            "steps": [
                {"patron_id": s.patron_id, "action": s.action, "move_to": s.move_to}
                for s in plan.steps
            ],
        },
    )
    task = run_message(ctx, plan=plan, delay=ob.LEASE)
    ctx.store.commit_ledger(LedgerWrite(event=event, plan=plan, audit=[entry], outbox=[task]))
    return run_plan(ctx, event_id=plan.event_id, plan_id=plan.id, by=actor)


def _plan(
    ctx: Context, by: Actor, event: Event, kind: str, reason: str, message: str, **kw: object
) -> rules.Plan:
    return rules.Plan(
        id=new_id("pln"),
        event_id=event.id,
        kind=kind,
        reason=rules.clean_text(reason, "reason", required=True),
        message=rules.clean_text(message, "message", required=False),
        created_at=ctx.now(),
        created_by=by.label,
        created_by_name=by.name,
        **kw,  # type: ignore[arg-type]
    )


def cancel_departure(
    ctx: Context,
    *,
    by: CrewMember,
    event_id: str,
    reason: str,
    message: str,
    parties: Sequence[PartyChoice] = (),
    default_action: str = rules.CREDIT,
    credit_valid_days: int = ledger.DEFAULT_VALID_DAYS,
    allow_refund_request: bool = True,
) -> rules.Plan:
    """Cancel the event (admins and captains) and settle every booked and waitlisted party
    as ``parties`` says (the others by ``default_action``): the plan, the event's
    cancellation and their audit entries are stored in one write, then the plan runs.
    Each party gets one email (no separate cancellation fan-out). Conflict when the event
    is not scheduled."""
    require_manager(by)
    event = get_event(ctx, event_id=event_id)
    if event.status != EventStatus.SCHEDULED:
        raise Conflict("Only a scheduled departure can be cancelled.", {"status": event.status})
    if default_action not in rules.ACTIONS or default_action == rules.MOVE:
        raise Invalid("The default action is credit or refund.", {"default": default_action})
    now = ctx.now()
    plan = _plan(
        ctx,
        actor_of(by),
        event,
        rules.CANCEL,
        reason,
        message,
        steps=_steps(ctx, event, parties, default_action),
        credit_expires_at=ledger.expiry(now, credit_valid_days),
        allow_refund_request=allow_refund_request,
    )
    cancelled = dataclasses.replace(event, status=EventStatus.CANCELLED, updated_at=now)
    return _store_and_run(ctx, actor=actor_of(by), plan=plan, event=(cancelled, event.version))


def shift_departure(
    ctx: Context,
    *,
    by: CrewMember,
    event_id: str,
    starts_at: datetime,
    ends_at: datetime | None,
    reason: str,
    message: str = "",
) -> rules.Plan:
    """Move the whole departure to a new time (admins and captains): every party keeps its
    booking and gets one email with the new time and a link to cancel if it no longer
    suits. The new times, the plan and the audit entries in one write, then the plan runs."""
    require_manager(by)
    event = get_event(ctx, event_id=event_id)
    booking_rules.check_open(event)
    booking_rules.check_event_times(starts_at, ends_at)
    if starts_at.tzinfo is None or (ends_at is not None and ends_at.tzinfo is None):
        raise Invalid("Times need a UTC offset, e.g. 2026-07-01T09:00:00-04:00.")
    starts_at = starts_at.astimezone(UTC)
    ends_at = ends_at.astimezone(UTC) if ends_at else None
    if starts_at == event.starts_at:
        raise Invalid("The new time is the time it has.", {"starts_at": starts_at.isoformat()})
    steps = tuple(
        rules.Step(b.patron_id, b.patron_name, b.party_size, b.status.value, rules.KEEP)
        for b in rules.settled_parties(ctx.store.list_bookings(event_id))
    )
    now = ctx.now()
    plan = _plan(
        ctx,
        actor_of(by),
        event,
        rules.SHIFT,
        reason,
        message,
        steps=steps,
        new_starts_at=starts_at,
        new_ends_at=ends_at,
        old_starts_at=event.starts_at,
        credit_expires_at=ledger.expiry(now, ledger.DEFAULT_VALID_DAYS),
    )
    moved = dataclasses.replace(event, starts_at=starts_at, ends_at=ends_at, updated_at=now)
    return _store_and_run(ctx, actor=actor_of(by), plan=plan, event=(moved, event.version))


def rebook_party(
    ctx: Context,
    *,
    by: CrewMember,
    event_id: str,
    patron_id: str,
    move_to: str,
    reprice: bool,
    reason: str,
    message: str = "",
) -> rules.Plan:
    """Move one party to another departure (admins and captains), keeping its seats and the
    waivers that still stand, its money carried as credit: a one-step plan, run at once."""
    require_manager(by)
    return rebook(
        ctx,
        actor=actor_of(by),
        event_id=event_id,
        patron_id=patron_id,
        move_to=move_to,
        reprice=reprice,
        reason=reason,
        message=message,
    )


def rebook(
    ctx: Context,
    *,
    actor: Actor,
    event_id: str,
    patron_id: str,
    move_to: str,
    reprice: bool,
    reason: str,
    message: str = "",
) -> rules.Plan:
    """``rebook_party`` for whoever ``actor`` is (crew checked by the caller, or the patron
    choosing another departure on their guest page)."""
    event = get_event(ctx, event_id=event_id)
    choice = PartyChoice(patron_id, rules.MOVE, move_to, reprice)
    steps = [s for s in _steps(ctx, event, [choice], rules.CREDIT) if s.patron_id == patron_id]
    plan = _plan(
        ctx,
        actor,
        event,
        rules.REBOOK,
        reason,
        message,
        steps=tuple(steps),
        credit_expires_at=ledger.expiry(ctx.now(), ledger.DEFAULT_VALID_DAYS),
        allow_refund_request=False,
    )
    return _store_and_run(ctx, actor=actor, plan=plan, event=None)


def get_plan(ctx: Context, *, by: CrewMember, event_id: str, plan_id: str) -> rules.Plan:
    """The plan as stored (admins and captains). Changes nothing."""
    require_manager(by)
    get_event(ctx, event_id=event_id)
    plan = ctx.store.get_plan(event_id, plan_id)
    if plan is None:
        raise NotFound("No such plan.", {"plan_id": plan_id})
    return plan


def list_plans(ctx: Context, *, by: CrewMember, event_id: str) -> list[rules.Plan]:
    require_manager(by)
    get_event(ctx, event_id=event_id)
    return ctx.store.list_plans(event_id)


def run(
    ctx: Context, *, by: CrewMember, event_id: str, plan_id: str, retry_failed: bool = False
) -> rules.Plan:
    """Run what is left of a stored plan again (admins and captains); with ``retry_failed``
    failed steps are tried again too. Nothing done is done twice."""
    plan = get_plan(ctx, by=by, event_id=event_id, plan_id=plan_id)
    if retry_failed and any(s.state == rules.FAILED for s in plan.steps):
        steps = tuple(
            dataclasses.replace(s, state=rules.PENDING) if s.state == rules.FAILED else s
            for s in plan.steps
        )
        entry = audit.entry(
            ctx, actor=actor_of(by), action="settlement.retried", subject=plan.id, event_id=event_id
        )
        again = dataclasses.replace(plan, steps=steps, finished_at=None)
        ctx.store.commit_ledger(LedgerWrite(plan=again, plan_version=plan.version, audit=[entry]))
    return run_plan(ctx, event_id=event_id, plan_id=plan_id, by=actor_of(by))


def resume(ctx: Context, message: OutboxMessage) -> None:
    """The outbox's task: finish the plan named by the message (as the system). Raises
    ``SendError`` (retried with backoff) while a step is still pending."""
    plan_id = str(message.payload.get("plan_id"))
    event_id = message.event_id or ""
    if ctx.store.get_plan(event_id, plan_id) is None:
        raise SendError("The plan of this task does not exist", permanent=True)
    plan = run_plan(ctx, event_id=event_id, plan_id=plan_id, by=SYSTEM)
    if any(s.state == rules.PENDING for s in plan.steps):
        raise SendError(f"{len(plan.open_steps)} steps of the plan are still pending")
