"""Exporting payments and rosters as CSV, for the books."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from ..domain.errors import NotFound
from .context import Context

# A spreadsheet takes a cell starting with one of these as a formula (or, for tab and CR,
# may shift it into one): the OWASP advice is to prefix such a cell with a single quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

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


def safe_cell(value: object) -> object:
    """A cell a spreadsheet shows as text: NUL bytes dropped, a formula start quoted."""
    if not isinstance(value, str):
        return value
    value = value.replace("\x00", "")
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class _SafeWriter:
    """csv.writer whose every cell goes through ``safe_cell``."""

    def __init__(self, fh: IO[str]) -> None:
        self._writer = csv.writer(fh)

    def writerow(self, row: Sequence[object]) -> None:
        self._writer.writerow([safe_cell(v) for v in row])


@contextmanager
def _private_file(path: Path) -> Iterator[IO[str]]:
    """``path`` opened for writing, readable by its owner only (0600) whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode through O_CREAT: set it
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
        yield fh


def export_csv(ctx: Context, *, folder: Path, event_id: str | None = None) -> dict[str, int]:
    """Write payments.csv and roster.csv into ``folder`` (made 0700, the files 0600).
    Changes nothing in the store. An unknown ``event_id`` is NotFound, before any file."""
    events = [e for e in ctx.store.list_events() if event_id is None or e.id == event_id]
    if event_id is not None and not events:
        raise NotFound(f"There is no event {event_id}.", {"event_id": event_id})
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True)
        folder.chmod(0o700)
    counts = {"payments": 0, "bookings": 0}
    with (
        _private_file(folder / "payments.csv") as pf,
        _private_file(folder / "roster.csv") as rf,
    ):
        pw = _SafeWriter(pf)
        rw = _SafeWriter(rf)
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
