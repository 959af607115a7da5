"""Reconciliation for admins and captains: per event, money in by method and provider,
refunds, provider transactions matched and kept, and bookings whose paid total disagrees
with their ledger; and a provider's own export compared with the ledger."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from ..domain import reconcile as rules
from ..domain.errors import Invalid
from ..domain.models import CrewMember, Event, Payment
from ..domain.online import ProviderTransaction
from .access import require_manager
from .context import Context
from .events import get_event
from .exports import _SafeWriter

CSV_COLUMNS = ["event_id", "event_title", "kind", "what", "patron_id", "amount_cents", "currency"]


@dataclass(frozen=True)
class Reconciliation:
    events: list[rules.EventMoney]
    unmatched: list[ProviderTransaction]  # provider money on no event of these (or on none)


def _events(
    ctx: Context, event_id: str | None, since: datetime | None, until: datetime | None
) -> list[Event]:
    if event_id:
        return [get_event(ctx, event_id=event_id)]
    for name, at in (("since", since), ("until", until)):
        if at is not None and at.utcoffset() is None:
            raise Invalid(f"{name} needs a time zone offset, like 2026-07-01T00:00:00Z.", {})
    if since is None or until is None or since >= until:
        raise Invalid(
            "Give an event_id, or a date range with since before until.",
            {"since": str(since or ""), "until": str(until or "")},
        )
    return [e for e in ctx.store.list_events() if since <= e.starts_at < until]


def reconcile(
    ctx: Context,
    *,
    by: CrewMember,
    event_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Reconciliation:
    """The reconciliation of one event or of the events starting in [since, until) (admins
    and captains). Changes nothing."""
    require_manager(by)
    events = _events(ctx, event_id, since, until)
    bookings = ctx.store.list_bookings_for_events([e.id for e in events])
    kept = ctx.store.list_provider_transactions()
    ids = {e.id for e in events}
    out = [
        rules.event_money(e, bookings[e.id], ctx.store.list_payments(e.id), kept) for e in events
    ]
    loose = (
        []
        if event_id or since is None or until is None
        else [t for t in kept if t.event_id not in ids and since <= t.received_at < until]
    )
    return Reconciliation(out, loose)


def reconciliation_csv(result: Reconciliation) -> str:
    """The reconciliation as CSV, formula-safe (every text cell through exports.safe_cell)."""
    buffer = io.StringIO()
    writer = _SafeWriter(buffer)
    writer.writerow(CSV_COLUMNS)
    for m in result.events:
        head = [m.event_id, m.title]
        for method, cents in m.money_in.items():
            writer.writerow([*head, "money_in", method, "", cents, m.currency])
        for method, cents in m.refunds.items():
            writer.writerow([*head, "refund", method, "", cents, m.currency])
        for p in m.provider_matched:
            writer.writerow(
                [*head, "provider_matched", p.reference, p.patron_id, p.amount_cents, p.currency]
            )
        for t in m.provider_kept:
            writer.writerow(
                [
                    *head,
                    f"provider_{t.status}",
                    t.reference,
                    t.patron_id or "",
                    t.amount_cents,
                    t.currency,
                ]
            )
        for b in m.mismatches:
            detail = f"booking says {b.booking_paid_cents}, ledger {b.ledger_paid_cents}"
            writer.writerow(
                [
                    *head,
                    "booking_mismatch",
                    detail,
                    b.patron_id,
                    b.booking_paid_cents - b.ledger_paid_cents,
                    m.currency,
                ]
            )
    for t in result.unmatched:
        writer.writerow(
            [
                t.event_id or "",
                "",
                f"provider_{t.status}",
                t.reference,
                t.patron_id or "",
                t.amount_cents,
                t.currency,
            ]
        )
    return buffer.getvalue()


def import_statement(
    ctx: Context, *, text: str, since: datetime | None = None, until: datetime | None = None
) -> rules.StatementReport:
    """Compare a provider's export (Stripe payments/refunds/Balance, PayPal activity) with
    the ledger's entries of that provider (logged in [since, until) when given: the period
    the export covers). Changes nothing; Invalid for a file that is neither."""
    rows = rules.parse_statement(text)
    providers = {r.provider for r in rows}
    ledger: list[Payment] = []
    for event in ctx.store.list_events():
        ledger += [
            p
            for p in ctx.store.list_payments(event.id)
            if p.method.value in providers
            and (since is None or p.logged_at >= since)
            and (until is None or p.logged_at < until)
        ]
    return rules.compare_statement(rows, ledger)
