"""The crew's cash-up for an event: what the ledger says each crew member took by method,
what they counted, the difference with a note; closed once by an admin or captain.

Crew see and count their own takings; admins and captains see everyone's, count for them
and close the cash-up. Counts are never changed: a recount is a new entry, and one entered
after closing is kept and shown as such.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from ..domain import cashup as rules
from ..domain.errors import Forbidden, NotFound
from ..domain.models import CrewMember, Event, PaymentMethod, new_sorted_id
from ..receipts.cashup_pdf import CashupDoc, render_cashup
from . import audit
from .access import actor_of, require_manager
from .context import Context, retry_stale
from .events import get_event
from .exports import _SafeWriter

CSV_COLUMNS = [
    "crew_id",
    "crew_name",
    "method",
    "expected_cents",
    "counted_cents",
    "difference_cents",
    "currency",
    "note",
    "counted_at",
    "after_close",
    "closed_count_cents",
]


@dataclass(frozen=True)
class CashUp:
    event: Event
    rows: list[rules.CashRow]
    close: rules.CashClose | None


def cashup(ctx: Context, *, by: CrewMember, event_id: str) -> CashUp:
    """The event's cash-up: everyone's rows for admins and captains, a crew member's own
    otherwise. Changes nothing."""
    event = get_event(ctx, event_id=event_id)
    rows = rules.rows(
        ctx.store.list_payments(event_id),
        ctx.store.list_cash_counts(event_id),
        close := ctx.store.get_cashup_close(event_id),
    )
    if not by.role.manages:
        rows = [r for r in rows if r.crew_id == by.id]
    return CashUp(event, rows, close)


def record_count(
    ctx: Context,
    *,
    by: CrewMember,
    event_id: str,
    crew_id: str,
    method: PaymentMethod,
    counted_cents: int,
    note: str = "",
) -> CashUp:
    """Record what ``crew_id`` counted for ``method`` (their own, or anyone's for admins and
    captains), with the ledger's figure at that moment; writes a ``cashup.counted`` audit
    entry with it. After the close the count is kept as a correction after closing."""
    if crew_id != by.id:
        require_manager(by)
    note = rules.check_count(method, counted_cents, note)
    event = get_event(ctx, event_id=event_id)
    member = ctx.store.get_crew(crew_id)
    if member is None:
        raise NotFound("No such crew member.", {"crew_id": crew_id})

    def attempt() -> None:
        closed = ctx.store.get_cashup_close(event_id) is not None
        expected = rules.taken(ctx.store.list_payments(event_id)).get(
            (crew_id, method), (member.name, 0)
        )[1]
        count = rules.CashCount(
            id=new_sorted_id("cnt"),
            event_id=event_id,
            crew_id=crew_id,
            crew_name=member.name,
            method=method,
            counted_cents=counted_cents,
            expected_cents=expected,
            currency=event.currency,
            note=note,
            entered_by=by.id,
            entered_by_name=by.name,
            entered_at=ctx.now(),
            after_close=closed,
        )
        ctx.store.add_cash_count(
            count,
            audit.entry(
                ctx,
                actor=actor_of(by),
                action="cashup.counted",
                subject=count.id,
                event_id=event_id,
                data={
                    "crew_id": crew_id,
                    "method": method.value,
                    "amount_cents": counted_cents,
                    "expected_cents": expected,
                    "difference_cents": counted_cents - expected,
                    "note": note,
                    "after_close": closed,
                },
            ),
        )

    retry_stale(attempt)
    return cashup(ctx, by=by, event_id=event_id)


def close_cashup(ctx: Context, *, by: CrewMember, event_id: str) -> CashUp:
    """Close the event's cash-up (admins and captains), once: writes a ``cashup.closed``
    audit entry with every row's figures. Later counts are shown as after closing."""
    require_manager(by)
    view = cashup(ctx, by=by, event_id=event_id)
    close = rules.CashClose(event_id, by.id, by.name, ctx.now())
    rows = [
        {
            "crew_id": r.crew_id,
            "method": r.method.value,
            "expected_cents": r.expected_cents,
            "counted_cents": r.counted_cents,
        }
        for r in view.rows
    ]
    ctx.store.close_cashup(
        close,
        audit.entry(
            ctx,
            actor=actor_of(by),
            action="cashup.closed",
            subject=event_id,
            event_id=event_id,
            data={"rows": rows},
        ),
    )
    return cashup(ctx, by=by, event_id=event_id)


def cashup_csv(ctx: Context, *, by: CrewMember, event_id: str) -> str:
    """The cash-up as formula-safe CSV (admins and captains). Changes nothing."""
    require_manager(by)
    view = cashup(ctx, by=by, event_id=event_id)
    buffer = io.StringIO()
    writer = _SafeWriter(buffer)
    writer.writerow(CSV_COLUMNS)
    for r in view.rows:
        writer.writerow(
            [
                r.crew_id,
                r.crew_name,
                r.method.value,
                r.expected_cents,
                "" if r.counted_cents is None else r.counted_cents,
                "" if r.difference_cents is None else r.difference_cents,
                view.event.currency,
                r.note,
                r.counted_at.isoformat() if r.counted_at else "",
                "yes" if r.after_close else "",
                "" if r.closed_count_cents is None else r.closed_count_cents,
            ]
        )
    return buffer.getvalue()


def cashup_pdf(ctx: Context, *, by: CrewMember, event_id: str) -> bytes:
    """The cash-up as a PDF (admins and captains). Changes nothing."""
    if not by.role.manages:
        raise Forbidden("Only an admin or captain can do this.", {"role": by.role.value})
    view = cashup(ctx, by=by, event_id=event_id)
    return render_cashup(
        CashupDoc(
            org_name=ctx.settings.org_name,
            timezone=ctx.settings.timezone,
            event_title=view.event.title,
            event_starts_at=view.event.starts_at,
            currency=view.event.currency,
            rows=view.rows,
            close=view.close,
        ),
        font_path=ctx.settings.receipt_font,
    )
