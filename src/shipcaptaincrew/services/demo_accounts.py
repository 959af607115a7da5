"""The demo organisation (``scc demo``): recognised by its accounts' email domain, and its
events by who created them (a demo account, in the event's audit trail)."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.models import SYSTEM, CrewMember
from . import audit, passwords
from .context import Context

DEMO_DOMAIN = "demo.shipcaptaincrew.test"


def is_demo(member: CrewMember) -> bool:
    return member.email.endswith(f"@{DEMO_DOMAIN}")


def demo_accounts_with_password(ctx: Context, *, password: str) -> list[CrewMember]:
    """The active demo accounts that still sign in with ``password`` (the published demo
    password). Changes nothing."""
    return [
        c
        for c in ctx.store.list_crew()
        if is_demo(c) and c.active and passwords.verify(c.password_hash, password)
    ]


@dataclass(frozen=True)
class DemoRemoval:
    accounts: int
    events: int
    patrons: int
    kept: list[str]  # titles of demo events that non-demo crew changed: left in place


def _is_demo_event(ctx: Context, event_id: str, demo: set[str]) -> bool | None:
    """True when a demo account created the event and only demo accounts (or guests and the
    system) changed it; None when a demo account created it but other crew changed it too;
    False when someone else created it."""
    entries = ctx.store.list_audit(event_id=event_id, limit=100_000)
    created = [e for e in entries if e.action == "event.created"]
    if not created or created[-1].actor not in demo:
        return False
    crew = {e.actor for e in entries if e.actor.startswith("crew:")}
    return True if crew <= demo else None


def remove_demo(ctx: Context) -> DemoRemoval:
    """Delete the demo organisation: the accounts under ``@demo.shipcaptaincrew.test``, the
    events they created (with bookings, payments, waivers, emails and audit entries) and the
    patrons left with no booking. An event any other crew member changed is kept, and so is
    everything that is not demo data. Writes an audit entry per event and account (actor
    ``system``)."""
    members = [c for c in ctx.store.list_crew() if is_demo(c)]
    demo = {f"crew:{c.id}" for c in members}
    events = ctx.store.list_events()
    verdicts = {e.id: _is_demo_event(ctx, e.id, demo) if demo else False for e in events}
    gone = [e for e in events if verdicts[e.id]]
    kept = [e.title for e in events if verdicts[e.id] is None]
    staying = [e.id for e in events if not verdicts[e.id]]
    booked_elsewhere = {
        b.patron_id for bs in ctx.store.list_bookings_for_events(staying).values() for b in bs
    }
    candidates = {
        b.patron_id
        for bs in ctx.store.list_bookings_for_events([e.id for e in gone]).values()
        for b in bs
    }
    orphans = sorted(candidates - booked_elsewhere)
    for i, event in enumerate(gone):
        last = i == len(gone) - 1
        entry = audit.entry(
            ctx,
            actor=SYSTEM,
            action="demo.event_removed",
            subject=event.id,
            data={"title": event.title},
        )
        ctx.store.delete_event_data(event.id, orphans if last else [], entry)
    for member in members:
        entry = audit.entry(
            ctx,
            actor=SYSTEM,
            action="crew.deleted",
            subject=member.id,
            data={"email": member.email, "name": member.name},
        )
        ctx.store.delete_crew(member.id, entry)
    return DemoRemoval(len(members), len(gone), len(orphans) if gone else 0, kept)
