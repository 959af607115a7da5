"""The report of a settled departure: per party what was done, the money, the emails and
what is still open; as rows, CSV (formula-safe) and PDF. Changes nothing."""

from __future__ import annotations

import io
from dataclasses import dataclass

from ..domain import outbox as ob
from ..domain import settlement_report as report
from ..domain import settlements as rules
from ..domain.models import CrewMember, Event
from ..domain.refunds import PROVIDER_METHODS
from ..receipts.settlement_pdf import SettlementDoc, render_settlement
from .context import Context
from .exports import _SafeWriter
from .settlements import get_plan

CSV_COLUMNS = [
    "patron_id",
    "patron_name",
    "party_size",
    "was",
    "action",
    "state",
    "moved_to",
    "credited_cents",
    "refunded_cents",
    "provider_refund_cents",
    "provider_confirmed_cents",
    "carried_cents",
    "currency",
    "email",
    "patron_choice",
    "open_items",
]


@dataclass(frozen=True)
class Report:
    event: Event
    plan: rules.Plan
    rows: list[report.ReportRow]
    totals: report.Totals


def settlement_report(ctx: Context, *, by: CrewMember, event_id: str, plan_id: str) -> Report:
    """The plan's report (admins and captains): one read of the event's payments and of its
    settlement emails."""
    plan = get_plan(ctx, by=by, event_id=event_id, plan_id=plan_id)
    event = ctx.store.get_event(event_id)
    assert event is not None  # get_plan checked it
    confirmed: dict[str, int] = {}
    handed: dict[str, int] = {}
    for p in ctx.store.list_payments(event_id):
        if p.refund_of and not p.voided:
            confirmed[p.refund_of] = confirmed.get(p.refund_of, 0) - p.amount_cents
            if p.method not in PROVIDER_METHODS:
                handed[p.patron_id] = handed.get(p.patron_id, 0) - p.amount_cents
    emails = {
        m.patron_id: ob.crew_status(m.status)
        for m in ctx.store.list_outbox_for_event(event_id, [ob.SETTLED])
        if m.patron_id and m.payload.get("plan_id") == plan.id
    }
    rows = report.rows(
        plan, confirmed=confirmed, emails=emails, currency=event.currency, handed=handed
    )
    return Report(event, plan, rows, report.totals(rows))


def report_csv(ctx: Context, *, by: CrewMember, event_id: str, plan_id: str) -> str:
    view = settlement_report(ctx, by=by, event_id=event_id, plan_id=plan_id)
    buffer = io.StringIO()
    writer = _SafeWriter(buffer)
    writer.writerow(CSV_COLUMNS)
    for r in view.rows:
        writer.writerow(
            [
                r.patron_id,
                r.patron_name,
                r.party_size,
                r.was,
                r.action,
                r.state,
                r.moved_to,
                r.credited_cents,
                r.refunded_cents,
                r.requested_cents,
                r.confirmed_cents,
                r.carried_cents,
                view.event.currency,
                r.email,
                r.choice,
                "; ".join(r.open_items),
            ]
        )
    return buffer.getvalue()


def report_pdf(ctx: Context, *, by: CrewMember, event_id: str, plan_id: str) -> bytes:
    view = settlement_report(ctx, by=by, event_id=event_id, plan_id=plan_id)
    return render_settlement(
        SettlementDoc(
            org_name=ctx.settings.org_name,
            timezone=ctx.settings.timezone,
            event_title=view.event.title,
            event_starts_at=view.plan.old_starts_at or view.event.starts_at,
            kind=view.plan.kind,
            reason=view.plan.reason,
            created_by_name=view.plan.created_by_name,
            created_at=view.plan.created_at,
            currency=view.event.currency,
            rows=view.rows,
            totals=view.totals,
        ),
        font_path=ctx.settings.receipt_font,
    )
