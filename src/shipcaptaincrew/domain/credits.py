"""Credits: money a patron holds with the organisation, kept as a ledger of its own.

Each entry is appended, never changed: ``issued`` (credit given, with an expiry), ``used``
(spent on a booking: a ``credit`` payment) and ``expired`` (what was left of one issued
entry when it ran out). The balance follows from the entries: each issued entry is a lot;
a use spends the lots that expire first; a lot past its expiry counts for nothing. A
patron's entries are numbered 1, 2, ... (``seq``); a store refuses a number already taken,
so two uses racing on one balance are serialised and the balance never goes below zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .errors import Conflict, Invalid
from .models import Actor, Payment, PaymentMethod, new_id
from .money import check_amount

ISSUED = "issued"
USED = "used"
EXPIRED = "expired"
KINDS = (ISSUED, USED, EXPIRED)
DEFAULT_VALID_DAYS = 365
MAX_VALID_DAYS = 3660


@dataclass(frozen=True)
class CreditEntry:
    patron_id: str
    seq: int  # 1, 2, ... per patron: the store refuses a number already taken
    id: str
    kind: str  # one of KINDS
    amount_cents: int  # always positive; the kind says which way it goes
    currency: str
    at: datetime
    by: str  # the actor's label
    note: str = ""
    expires_at: datetime | None = None  # issued entries
    event_id: str | None = None  # where it came from (issued) or was spent (used)
    payment_id: str | None = None  # used: the ``credit`` payment it paid
    lot: int | None = None  # expired: the seq of the issued entry that ran out
    plan_id: str | None = None  # issued by a settlement plan


@dataclass(frozen=True)
class Lot:
    """One issued entry and what is left of it."""

    entry: CreditEntry
    left_cents: int

    def live(self, now: datetime) -> bool:
        return self.entry.expires_at is None or self.entry.expires_at > now


def lots(entries: Iterable[CreditEntry], currency: str) -> list[Lot]:
    """The issued entries in ``currency`` with what is left of each, soonest expiry first.
    A use spends the lots that were live when it was made, soonest expiry first; an
    expired entry empties its own lot."""
    ordered = sorted((e for e in entries if e.currency == currency), key=lambda e: e.seq)
    left: dict[int, int] = {}
    issued: dict[int, CreditEntry] = {}
    for e in ordered:
        if e.kind == ISSUED:
            issued[e.seq] = e
            left[e.seq] = e.amount_cents
        elif e.kind == EXPIRED and e.lot in left:
            left[e.lot] = max(left[e.lot] - e.amount_cents, 0)
        elif e.kind == USED:
            owed = e.amount_cents
            for seq in sorted(left, key=lambda s: _expiry_order(issued[s])):
                lot = issued[seq]
                if owed == 0:
                    break
                if lot.expires_at is not None and lot.expires_at <= e.at:
                    continue
                take = min(owed, left[seq])
                left[seq] -= take
                owed -= take
    return [Lot(issued[s], left[s]) for s in sorted(issued, key=lambda s: _expiry_order(issued[s]))]


def _expiry_order(e: CreditEntry) -> tuple[int, datetime | None, int]:
    return (0, e.expires_at, e.seq) if e.expires_at is not None else (1, None, e.seq)


def balance(entries: Iterable[CreditEntry], currency: str, now: datetime) -> int:
    """What the patron can spend now in ``currency``: never below zero."""
    return sum(lot.left_cents for lot in lots(entries, currency) if lot.live(now))


def balances(entries: Sequence[CreditEntry], now: datetime) -> dict[str, int]:
    """The balance of each currency the patron has entries in."""
    return {c: balance(entries, c, now) for c in sorted({e.currency for e in entries})}


def next_seq(entries: Iterable[CreditEntry]) -> int:
    return max((e.seq for e in entries), default=0) + 1


def expiry(now: datetime, days: int) -> datetime:
    if not 1 <= days <= MAX_VALID_DAYS:
        raise Invalid(
            f"Credit is valid for 1 to {MAX_VALID_DAYS} days.", {"credit_valid_days": days}
        )
    return now + timedelta(days=days)


def issue(
    entries: Sequence[CreditEntry],
    *,
    patron_id: str,
    amount_cents: int,
    currency: str,
    at: datetime,
    expires_at: datetime,
    by: str,
    note: str = "",
    event_id: str | None = None,
    plan_id: str | None = None,
    seq: int | None = None,
) -> CreditEntry:
    """A new issued entry (the next number after ``entries`` unless ``seq`` is given)."""
    check_amount(amount_cents)
    return CreditEntry(
        patron_id=patron_id,
        seq=seq or next_seq(entries),
        id=new_id("cre"),
        kind=ISSUED,
        amount_cents=amount_cents,
        currency=currency,
        at=at,
        by=by,
        note=note,
        expires_at=expires_at,
        event_id=event_id,
        plan_id=plan_id,
    )


def expirations(entries: Sequence[CreditEntry], now: datetime, *, by: str) -> list[CreditEntry]:
    """The expired entries to write for lots that ran out with something left."""
    out: list[CreditEntry] = []
    seq = next_seq(entries)
    for currency in sorted({e.currency for e in entries}):
        for lot in lots(entries, currency):
            if lot.left_cents and not lot.live(now):
                out.append(
                    CreditEntry(
                        patron_id=lot.entry.patron_id,
                        seq=seq,
                        id=new_id("cre"),
                        kind=EXPIRED,
                        amount_cents=lot.left_cents,
                        currency=currency,
                        at=now,
                        by=by,
                        note="Expired",
                        lot=lot.entry.seq,
                    )
                )
                seq += 1
    return out


def use(
    entries: Sequence[CreditEntry],
    *,
    patron_id: str,
    amount_cents: int,
    currency: str,
    at: datetime,
    by: str,
    event_id: str,
    payment_id: str,
    note: str = "",
    seq: int | None = None,
) -> CreditEntry:
    """The used entry spending ``amount_cents``; Conflict when the balance is smaller."""
    check_amount(amount_cents)
    left = balance(entries, currency, at)
    if amount_cents > left:
        raise Conflict(
            f"Only {left} cents of credit are left.",
            {"amount_cents": amount_cents, "credit_cents": left, "currency": currency},
        )
    return CreditEntry(
        patron_id=patron_id,
        seq=seq or next_seq(entries),
        id=new_id("cre"),
        kind=USED,
        amount_cents=amount_cents,
        currency=currency,
        at=at,
        by=by,
        note=note,
        event_id=event_id,
        payment_id=payment_id,
    )


def pay_from_credit(
    entries: Sequence[CreditEntry],
    *,
    patron_id: str,
    event_id: str,
    amount_cents: int,
    currency: str,
    reference: str,
    note: str,
    at: datetime,
    by: Actor,
    seq: int | None = None,
) -> tuple[Payment, CreditEntry]:
    """A ``credit`` payment of ``amount_cents`` to ``event_id`` and the ledger's ``used``
    entry that pays for it (Conflict when the balance is smaller)."""
    payment = Payment(
        id=new_id("pay"),
        event_id=event_id,
        patron_id=patron_id,
        amount_cents=amount_cents,
        currency=currency,
        method=PaymentMethod.CREDIT,
        reference=reference,
        note=note,
        logged_by=by.id,
        logged_by_name=by.name,
        logged_at=at,
    )
    used = use(
        entries,
        patron_id=patron_id,
        amount_cents=amount_cents,
        currency=currency,
        at=at,
        by=by.label,
        event_id=event_id,
        payment_id=payment.id,
        seq=seq,
    )
    return payment, used
