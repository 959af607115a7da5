"""Crew cash-up: what the ledger says each crew member took, by method, against what they
counted at the end of the event. Pure.

Counts are never changed: a recount is a new entry and the latest entry for a crew member
and method is the one that stands. Once the cash-up is closed, later entries are kept and
shown as after closing, so what was closed can always be read back as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from .errors import Invalid
from .models import Payment, PaymentMethod
from .money import MAX_AMOUNT_CENTS
from .payments import MAX_TEXT

# What crew hand in at the end of the day; provider payments count themselves.
COUNTED_METHODS = (
    PaymentMethod.CASH,
    PaymentMethod.CARD,
    PaymentMethod.CHECK,
    PaymentMethod.TRANSFER,
    PaymentMethod.APP,
    PaymentMethod.OTHER,
    PaymentMethod.UNSPECIFIED,
)


@dataclass(frozen=True)
class CashCount:
    """One count a crew member (or a captain for them) entered. Never changed."""

    id: str
    event_id: str
    crew_id: str  # whose takings were counted
    crew_name: str
    method: PaymentMethod
    counted_cents: int
    expected_cents: int  # what the ledger said when it was counted
    currency: str
    note: str
    entered_by: str
    entered_by_name: str
    entered_at: datetime
    after_close: bool = False


@dataclass(frozen=True)
class CashClose:
    event_id: str
    closed_by: str
    closed_by_name: str
    closed_at: datetime


@dataclass(frozen=True)
class CashRow:
    crew_id: str
    crew_name: str
    method: PaymentMethod
    expected_cents: int  # the ledger now
    counted_cents: int | None  # the count that stands (None: not counted yet)
    note: str
    counted_at: datetime | None
    after_close: bool  # the count that stands was entered after closing
    closed_count_cents: int | None  # what stood when the cash-up was closed

    @property
    def difference_cents(self) -> int | None:
        return None if self.counted_cents is None else self.counted_cents - self.expected_cents


def taken(payments: Iterable[Payment]) -> dict[tuple[str, PaymentMethod], tuple[str, int]]:
    """(crew id, method) -> (crew name, cents) the ledger says each crew member took: their
    payments less the refunds they handed back, voided entries left out."""
    out: dict[tuple[str, PaymentMethod], tuple[str, int]] = {}
    for p in payments:
        if p.voided or p.method not in COUNTED_METHODS:
            continue
        name, cents = out.get((p.logged_by, p.method), (p.logged_by_name, 0))
        out[(p.logged_by, p.method)] = (name, cents + p.amount_cents)
    return out


def check_count(method: PaymentMethod, counted_cents: int, note: str) -> str:
    if method not in COUNTED_METHODS:
        raise Invalid(f"{method.value} payments are not counted by crew.", {"method": method.value})
    if not 0 <= counted_cents <= MAX_AMOUNT_CENTS:
        raise Invalid("The count must be 0 or more.", {"counted_cents": counted_cents})
    note = note.strip()
    if len(note) > MAX_TEXT:
        raise Invalid(f"The note is longer than {MAX_TEXT} characters.", {"note": len(note)})
    return note


def rows(
    payments: Sequence[Payment], counts: Sequence[CashCount], close: CashClose | None
) -> list[CashRow]:
    """One row per crew member and method that took money or was counted, by name, crew id
    and method. ``counts`` oldest first."""
    expected = taken(payments)
    standing: dict[tuple[str, PaymentMethod], CashCount] = {}
    at_close: dict[tuple[str, PaymentMethod], CashCount] = {}
    names = {k: v[0] for k, v in expected.items()}
    for c in counts:
        standing[(c.crew_id, c.method)] = c
        names.setdefault((c.crew_id, c.method), c.crew_name)
        if not c.after_close:
            at_close[(c.crew_id, c.method)] = c
    out = []
    for key in set(expected) | set(standing):
        count = standing.get(key)
        closed = at_close.get(key) if close else None
        out.append(
            CashRow(
                crew_id=key[0],
                crew_name=names[key],
                method=key[1],
                expected_cents=expected.get(key, ("", 0))[1],
                counted_cents=count.counted_cents if count else None,
                note=count.note if count else "",
                counted_at=count.entered_at if count else None,
                after_close=bool(count and count.after_close),
                closed_count_cents=closed.counted_cents if closed else None,
            )
        )
    return sorted(out, key=lambda r: (r.crew_name.lower(), r.crew_id, r.method.value))
