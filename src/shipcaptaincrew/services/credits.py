"""Credits: a patron's balance with the organisation, and spending it on a booking.

Credit is issued by a settlement plan (``services/settlements.py``) or by hand by an admin
or captain (``issue_credit``), and spent as a payment
of method ``credit``: the payment, the re-settled booking and the ledger's ``used`` entry
land in one transaction, so the ledger and the booking never disagree.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..domain import credits as ledger
from ..domain import outbox as ob
from ..domain import settlements as plan_rules
from ..domain.errors import DuplicateKey, Invalid, NotFound
from ..domain.models import Actor, Booking, CrewMember, Payment, PaymentMethod
from ..storage.base import LedgerWrite
from . import audit
from .access import actor_of, require_manager
from .bookings import get_booking
from .context import Context, retry_stale
from .outbox import payment_message
from .payments import Logged, PaymentRequest, _entry, _prepare, _replay, read_payable


@dataclass(frozen=True)
class CreditView:
    patron_id: str
    balances: dict[str, int]  # currency -> cents spendable now
    entries: list[ledger.CreditEntry]


def credit_view(ctx: Context, *, patron_id: str) -> CreditView:
    """The patron's credit now and its ledger. Changes nothing."""
    entries = ctx.store.list_credits(patron_id)
    return CreditView(patron_id, ledger.balances(entries, ctx.now()), entries)


def balance(ctx: Context, *, patron_id: str, currency: str) -> int:
    """What the patron can spend now in ``currency``. Changes nothing."""
    return ledger.balance(ctx.store.list_credits(patron_id), currency, ctx.now())


def payment_status(
    ctx: Context, *, event_id: str, patron_id: str
) -> tuple[Booking, list[Payment], int]:
    """The booking's payment state, its payments (oldest first) and the patron's credit in
    its currency, as the roster card shows them. Changes nothing."""
    booking = get_booking(ctx, event_id=event_id, patron_id=patron_id)
    history = ctx.store.list_payments(event_id, patron_id)
    return booking, history, balance(ctx, patron_id=patron_id, currency=booking.currency)


def pay_with_credit(
    ctx: Context,
    *,
    by: CrewMember | Actor,
    event_id: str,
    req: PaymentRequest,
    idempotency_key: str | None = None,
) -> Logged:
    """Pay ``req.amount_cents`` of the booking from the patron's credit: the ``credit``
    payment, the re-settled booking, the ledger's ``used`` entry (and ``expired`` entries
    for lots that ran out), a ``payment.logged`` audit entry and the receipt email in one
    transaction. Conflict when the credit left is smaller; two uses racing on one balance
    are serialised by the ledger's numbering, so it never goes below zero."""
    if req.method != PaymentMethod.CREDIT:
        raise Invalid("Only a credit payment is paid from credit.", {"method": req.method.value})

    def attempt() -> Logged:
        booking, history = read_payable(ctx, event_id=event_id, patron_id=req.patron_id)
        if idempotency_key and (done := ctx.store.get_payment_by_key(idempotency_key)):
            return _replay(ctx, done, event_id, req)
        write = _prepare(ctx, by=by, booking=booking, history=history, req=req, key=idempotency_key)
        entries = ctx.store.list_credits(req.patron_id)
        label = actor_of(by).label
        now = ctx.now()
        expired = ledger.expirations(entries, now, by=label)
        used = ledger.use(
            [*entries, *expired],
            patron_id=req.patron_id,
            amount_cents=write.payment.amount_cents,
            currency=booking.currency,
            at=now,
            by=label,
            event_id=event_id,
            payment_id=write.payment.id,
        )
        mail = payment_message(ctx, payment=write.payment, booking=write.booking, kind=ob.RECEIPT)
        entry = _entry(ctx, by, write)
        entry = dataclasses.replace(entry, data={**entry.data, "credit_entry": used.id})
        try:
            [stored] = ctx.store.commit_ledger(
                LedgerWrite(
                    bookings=[(write.booking, write.expected_version)],
                    payments=[write.payment],
                    credits=[*expired, used],
                    audit=[entry],
                    outbox=[mail],
                )
            )
        except DuplicateKey:
            if idempotency_key and ctx.store.get_payment_by_key(idempotency_key):
                return attempt()
            raise
        ctx.after_commit([mail])
        booking = dataclasses.replace(write.booking, version=write.expected_version + 1)
        return Logged(stored, booking, True)

    return retry_stale(attempt)


def issue_credit(
    ctx: Context,
    *,
    by: CrewMember,
    patron_id: str,
    amount_cents: int,
    currency: str,
    reason: str,
    valid_days: int = ledger.DEFAULT_VALID_DAYS,
) -> CreditView:
    """Give the patron credit by hand (admins and captains), with a reason and an expiry
    ``valid_days`` from now: the ledger's ``issued`` entry and a ``credit.issued`` audit
    entry in one write. Returns the credit after it. NotFound for an unknown patron."""
    require_manager(by)
    if ctx.store.get_patron(patron_id) is None:
        raise NotFound("No such patron.", {"patron_id": patron_id})
    reason = plan_rules.clean_text(reason, "reason", required=True)
    actor = actor_of(by)

    def attempt() -> None:
        now = ctx.now()
        entry = ledger.issue(
            ctx.store.list_credits(patron_id),
            patron_id=patron_id,
            amount_cents=amount_cents,
            currency=currency,
            at=now,
            expires_at=ledger.expiry(now, valid_days),
            by=actor.label,
            note=reason,
        )
        record = audit.entry(
            ctx,
            actor=actor,
            action="credit.issued",
            subject=entry.id,
            patron_id=patron_id,
            data={
                "amount_cents": amount_cents,
                "currency": currency,
                "reason": reason,
                "expires_at": entry.expires_at.isoformat() if entry.expires_at else None,
            },
        )
        ctx.store.commit_ledger(LedgerWrite(credits=[entry], audit=[record]))

    retry_stale(attempt)
    return credit_view(ctx, patron_id=patron_id)


def credit_json(view: CreditView) -> dict[str, object]:
    """The credit as the API and the guest page show it."""
    return {
        "balances": [{"currency": c, "cents": v} for c, v in view.balances.items()],
        "entries": [
            {
                "id": e.id,
                "kind": e.kind,
                "amount_cents": e.amount_cents,
                "currency": e.currency,
                "at": e.at.isoformat(),
                "expires_at": e.expires_at.isoformat() if e.expires_at else None,
                "event_id": e.event_id,
                "note": e.note,
            }
            for e in view.entries
        ],
    }
