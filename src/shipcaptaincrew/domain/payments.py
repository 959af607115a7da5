"""Rules for logging and voiding payments against a booking."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from .errors import Conflict, Invalid
from .models import Booking, BookingStatus, Payment, PaymentMethod, evolve
from .money import check_amount

DUPLICATE_WINDOW = timedelta(seconds=60)
MAX_TEXT = 500

# The words patrons and crew see for each method (receipts, emails; the console's
# js/methods.js holds the same words).
METHOD_LABELS = {
    PaymentMethod.CASH: "Cash",
    PaymentMethod.CARD: "Card",
    PaymentMethod.CHECK: "Check",
    PaymentMethod.TRANSFER: "Bank transfer",
    PaymentMethod.APP: "Payment app",
    PaymentMethod.STRIPE: "Stripe",
    PaymentMethod.PAYPAL: "PayPal",
    PaymentMethod.COMP: "Comp (free)",
    PaymentMethod.CREDIT: "Credit",
    PaymentMethod.OTHER: "Other",
    PaymentMethod.UNSPECIFIED: "Not recorded",
    PaymentMethod.IMPORTED: "Imported (paid before the move)",
}


def method_label(method: PaymentMethod) -> str:
    return METHOD_LABELS.get(method, method.value)


def check_payment_request(
    booking: Booking,
    *,
    amount_cents: int,
    method: PaymentMethod,
    currency: str | None,
    note: str = "",
) -> None:
    """Raise Invalid or Conflict when this payment may not be logged on this booking. A
    comp waives whatever is left, so it needs its reason in the note."""
    check_amount(amount_cents, allow_zero=method == PaymentMethod.COMP)
    if method == PaymentMethod.COMP and not note.strip():
        raise Invalid("A comp needs its reason in the note.", {"note": note})
    if currency is not None and currency.upper() != booking.currency:
        raise Invalid(
            f"This event is priced in {booking.currency}, not {currency}.",
            {"currency": currency, "event_currency": booking.currency},
        )
    if booking.status == BookingStatus.CANCELLED:
        raise Conflict("This booking is cancelled.", {"patron_id": booking.patron_id})
    if booking.payment_cleared and method != PaymentMethod.COMP:
        raise Conflict(
            "This booking is already paid in full.",
            {
                "amount_due_cents": booking.amount_due_cents,
                "amount_paid_cents": booking.amount_paid_cents,
            },
        )
    if amount_cents > booking.balance_cents:
        raise Invalid(
            f"Amount is more than the {booking.balance_cents} cents left to pay.",
            {"amount_cents": amount_cents, "balance_cents": booking.balance_cents},
        )


def replay_differences(
    existing: Payment,
    *,
    event_id: str,
    patron_id: str,
    amount_cents: int | None,
    method: PaymentMethod,
    reference: str,
    note: str,
    currency: str | None,
) -> list[str]:
    """The fields in which a request differs from the payment its idempotency key logged
    (an amount of None is "the balance left", as the first request asked). A key replays
    only the identical request."""
    wanted = {
        "event_id": event_id,
        "patron_id": patron_id,
        "amount_cents": existing.amount_cents if amount_cents is None else amount_cents,
        "method": method,
        "reference": reference.strip(),
        "note": note.strip(),
        "currency": existing.currency if currency is None else currency.upper(),
    }
    return [name for name, value in wanted.items() if getattr(existing, name) != value]


def find_recent_duplicate(
    payments: Iterable[Payment], *, amount_cents: int, method: PaymentMethod, now: datetime
) -> Payment | None:
    """The same payment (amount and method, not voided) logged in the last 60 seconds."""
    for payment in payments:
        if (
            not payment.voided
            and payment.amount_cents == amount_cents
            and payment.method == method
            and now - payment.logged_at < DUPLICATE_WINDOW
        ):
            return payment
    return None


def settle(booking: Booking, payments: Iterable[Payment], *, now: datetime) -> Booking:
    """The booking's payment state given all its payments (voided ones count for nothing).

    ``payment_cleared`` holds once what was paid covers what is due, or a
    non-voided comp waives the rest. ``cleared_at`` keeps the first moment it
    cleared and is reset when a void re-opens the balance.
    """
    live = [p for p in payments if not p.voided]
    paid = sum(p.amount_cents for p in live)
    comped = any(p.method == PaymentMethod.COMP for p in live)
    cleared = comped or paid >= booking.amount_due_cents
    cleared_at = (booking.cleared_at or now) if cleared else None
    return evolve(
        booking,
        amount_paid_cents=paid,
        payment_cleared=cleared,
        cleared_at=cleared_at,
    )


def check_void(payment: Payment, reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise Invalid("A reason is required to void a payment.", {"reason": reason})
    if payment.voided:
        raise Conflict(
            "This payment is already voided.",
            {
                "payment_id": payment.id,
                "voided_at": payment.voided_at.isoformat() if payment.voided_at else None,
            },
        )
    return reason
