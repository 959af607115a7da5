"""Reconciliation: does every payment match a booking, and every provider transaction the
ledger? Pure functions over records already read."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .errors import Invalid
from .models import Booking, Event, Payment, PaymentMethod
from .money import from_decimal_text
from .online import ProviderTransaction

PROVIDERS = (PaymentMethod.STRIPE, PaymentMethod.PAYPAL)


@dataclass(frozen=True)
class BookingMismatch:
    event_id: str
    patron_id: str
    patron_name: str
    booking_paid_cents: int  # what the booking says was paid
    ledger_paid_cents: int  # what its payments add up to


@dataclass(frozen=True)
class EventMoney:
    event_id: str
    title: str
    currency: str
    money_in: dict[str, int]  # method -> cents paid (not voided, refunds excluded)
    refunds: dict[str, int]  # method -> cents handed back (positive)
    voided_cents: int
    net_cents: int
    provider_matched: list[Payment]  # stripe/paypal ledger entries (payments and refunds)
    provider_kept: list[ProviderTransaction]  # provider money not on a ledger
    mismatches: list[BookingMismatch]


def ledger_paid(payments: Iterable[Payment]) -> int:
    return sum(p.amount_cents for p in payments if not p.voided)


def event_money(
    event: Event,
    bookings: Sequence[Booking],
    payments: Sequence[Payment],
    kept: Sequence[ProviderTransaction],
) -> EventMoney:
    money_in: Counter[str] = Counter()
    refunds: Counter[str] = Counter()
    for p in payments:
        if p.voided:
            continue
        if p.is_refund:
            refunds[p.method.value] += -p.amount_cents
        else:
            money_in[p.method.value] += p.amount_cents
    by_patron: dict[str, list[Payment]] = {}
    for p in payments:
        by_patron.setdefault(p.patron_id, []).append(p)
    mismatches = [
        BookingMismatch(b.event_id, b.patron_id, b.patron_name, b.amount_paid_cents, paid)
        for b in bookings
        if b.amount_paid_cents != (paid := ledger_paid(by_patron.get(b.patron_id, [])))
    ]
    return EventMoney(
        event_id=event.id,
        title=event.title,
        currency=event.currency,
        money_in=dict(sorted(money_in.items())),
        refunds=dict(sorted(refunds.items())),
        voided_cents=sum(p.amount_cents for p in payments if p.voided),
        net_cents=ledger_paid(payments),
        provider_matched=[p for p in payments if p.method in PROVIDERS],
        provider_kept=[t for t in kept if t.event_id == event.id],
        mismatches=mismatches,
    )


# -- a provider's own export, compared with the ledger ----------------------------------------
@dataclass(frozen=True)
class StatementRow:
    """One transaction in a provider's export (Stripe payments/balance, PayPal activity)."""

    provider: str
    reference: str
    amount_cents: int  # negative for a refund
    currency: str


@dataclass
class StatementReport:
    matched: list[str] = field(default_factory=list)
    missing_ours: list[StatementRow] = field(default_factory=list)  # in their file, not ours
    missing_theirs: list[Payment] = field(default_factory=list)  # ours, not in their file
    differences: list[tuple[StatementRow, int]] = field(default_factory=list)  # (theirs, ours)


def compare_statement(rows: Sequence[StatementRow], ledger: Sequence[Payment]) -> StatementReport:
    """Match the provider's rows to our ledger (voided entries left out) by the provider's
    id: matched, missing on our side, missing on theirs, and amount differences. Money we
    only hold as unmatched or parked is missing on our side: it is on no booking."""
    ours = {p.reference: p for p in ledger if not p.voided and p.method.value in _names(rows)}
    report = StatementReport()
    seen: set[str] = set()
    for row in rows:
        seen.add(row.reference)
        mine = ours.get(row.reference)
        if mine is None:
            report.missing_ours.append(row)
        elif mine.amount_cents != row.amount_cents or mine.currency != row.currency:
            report.differences.append((row, mine.amount_cents))
        else:
            report.matched.append(row.reference)
    report.missing_theirs = [p for ref, p in ours.items() if ref not in seen]
    return report


def _names(rows: Sequence[StatementRow]) -> set[str]:
    return {r.provider for r in rows}


# Column names (lower-cased) in Stripe's exports (Dashboard payments/refunds exports and the
# Balance report) and PayPal's activity download.
STRIPE_PAYMENT_REF = (
    "payment_intent_id",
    "paymentintent id",
    "payment intent id",
    "payment_intent",
)
STRIPE_ID = ("source_id", "id")
STRIPE_AMOUNT = ("gross", "amount")
PAYPAL_SKIP_STATUS = ("pending", "denied", "reversed", "canceled", "cancelled")


def _get(row: Mapping[str, str], names: Sequence[str]) -> str:
    return next((row[n].strip() for n in names if (row.get(n) or "").strip()), "")


def parse_statement(text: str) -> list[StatementRow]:
    """The transactions of a Stripe export (payments, refunds or the Balance report) or a
    PayPal activity download; Invalid naming the line when one cannot be read."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [(h or "").strip().lower() for h in reader.fieldnames or []]
    reader.fieldnames = header
    paypal = "transaction id" in header
    if not paypal and not (set(header) & set(STRIPE_ID) and set(header) & set(STRIPE_AMOUNT)):
        raise Invalid(
            "This is neither a Stripe export (id, Amount, Currency) nor a PayPal activity "
            "download (Transaction ID, Gross, Currency).",
            {"columns": header},
        )
    rows = []
    for line, row in enumerate(reader, start=2):
        try:
            parsed = _paypal_row(row) if paypal else _stripe_row(row)
        except Invalid as err:
            raise Invalid(f"Line {line}: {err.message}", {"line": line}) from None
        if parsed is not None:
            rows.append(parsed)
    return rows


def _stripe_row(row: Mapping[str, str]) -> StatementRow | None:
    currency = _get(row, ("currency",)).upper()
    own_id = _get(row, STRIPE_ID)
    category = _get(row, ("reporting_category", "type")).lower()
    status = _get(row, ("status",)).lower()
    if status and status not in ("paid", "succeeded"):
        return None
    refund = own_id.startswith(("re_", "pyr_")) or category == "refund"
    if category and category not in ("charge", "payment", "refund"):
        return None
    amount = abs(from_decimal_text(_get(row, STRIPE_AMOUNT).replace(",", ""), currency))
    reference = own_id if refund else (_get(row, STRIPE_PAYMENT_REF) or own_id)
    return StatementRow("stripe", reference, -amount if refund else amount, currency)


def _paypal_row(row: Mapping[str, str]) -> StatementRow | None:
    if _get(row, ("status",)).lower() in PAYPAL_SKIP_STATUS:
        return None
    currency = _get(row, ("currency",)).upper()
    amount = from_decimal_text(_get(row, ("gross",)).replace(",", ""), currency)
    return StatementRow("paypal", _get(row, ("transaction id",)), amount, currency)
