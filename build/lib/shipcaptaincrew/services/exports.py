"""Exporting payments and rosters as CSV, for the books."""

from __future__ import annotations

import csv
from pathlib import Path

from .context import Context

PAYMENT_COLUMNS = [
    "receipt_no",
    "payment_id",
    "event_id",
    "event_title",
    "patron_id",
    "patron_name",
    "amount_cents",
    "currency",
    "method",
    "reference",
    "note",
    "logged_by",
    "logged_at",
    "voided_at",
    "voided_by",
    "void_reason",
]
ROSTER_COLUMNS = [
    "event_id",
    "event_title",
    "patron_id",
    "name",
    "email",
    "phone",
    "party_size",
    "status",
    "amount_due_cents",
    "amount_paid_cents",
    "payment_cleared",
    "checked_in_at",
    "waiver_kind",
]


def _iso(value: object) -> str:
    return (
        value.isoformat() if hasattr(value, "isoformat") else ("" if value is None else str(value))
    )


def export_csv(ctx: Context, *, folder: Path, event_id: str | None = None) -> dict[str, int]:
    """Write payments.csv and roster.csv into ``folder``. Changes nothing in the store."""
    events = [e for e in ctx.store.list_events() if event_id is None or e.id == event_id]
    counts = {"payments": 0, "bookings": 0}
    with (
        (folder / "payments.csv").open("w", newline="") as pf,
        (folder / "roster.csv").open("w", newline="") as rf,
    ):
        pw = csv.writer(pf)
        rw = csv.writer(rf)
        pw.writerow(PAYMENT_COLUMNS)
        rw.writerow(ROSTER_COLUMNS)
        for event in events:
            bookings = ctx.store.list_bookings(event.id)
            names = {b.patron_id: b.patron_name for b in bookings}
            for b in bookings:
                rw.writerow(
                    [
                        event.id,
                        event.title,
                        b.patron_id,
                        b.patron_name,
                        b.patron_email,
                        b.patron_phone,
                        b.party_size,
                        b.status.value,
                        b.amount_due_cents,
                        b.amount_paid_cents,
                        b.payment_cleared,
                        _iso(b.checked_in_at),
                        b.waiver_kind.value if b.waiver_kind else "",
                    ]
                )
                counts["bookings"] += 1
            for p in ctx.store.list_payments(event.id):
                pw.writerow(
                    [
                        p.receipt_no,
                        p.id,
                        event.id,
                        event.title,
                        p.patron_id,
                        names.get(p.patron_id, ""),
                        p.amount_cents,
                        p.currency,
                        p.method.value,
                        p.reference,
                        p.note,
                        p.logged_by_name,
                        _iso(p.logged_at),
                        _iso(p.voided_at),
                        p.voided_by or "",
                        p.void_reason or "",
                    ]
                )
                counts["payments"] += 1
    return counts
