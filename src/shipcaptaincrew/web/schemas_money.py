"""Request and response models for refunds and the providers' webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from ..domain.models import PaymentMethod
from .schemas import BookingOut, Cents, In, Out, PaymentOut


class RefundIn(In):
    amount_cents: Cents
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class RefundOut(Out):
    status: Literal["refunded", "requested"]  # requested: the provider confirms by webhook
    payment: PaymentOut
    refund: PaymentOut | None
    provider_refund: str | None
    booking: BookingOut


class WebhookOut(Out):
    recorded: list[str]
    repeated: list[str]
    kept: list[str]


class ProviderTxnOut(Out):
    id: str
    provider: str
    kind: str
    reference: str
    parent_reference: str
    amount_cents: int
    currency: str
    status: str  # unmatched (no booking took it) or parked (a refund before its payment)
    reason: str
    received_at: datetime
    event_id: str | None
    patron_id: str | None


class MismatchOut(Out):
    patron_id: str
    name: str
    booking_paid_cents: int
    ledger_paid_cents: int


class EventMoneyOut(Out):
    event_id: str
    title: str
    currency: str
    money_in: dict[str, int]
    refunds: dict[str, int]
    voided_cents: int
    net_cents: int
    provider_matched: list[PaymentOut]
    provider_unmatched: list[ProviderTxnOut]
    mismatches: list[MismatchOut]


class ReconciliationOut(Out):
    events: list[EventMoneyOut]
    unmatched: list[ProviderTxnOut]


class CashRowOut(Out):
    crew_id: str
    crew_name: str
    method: str
    expected_cents: int
    counted_cents: int | None
    difference_cents: int | None
    note: str
    counted_at: datetime | None
    after_close: bool
    closed_count_cents: int | None


class CashCloseOut(Out):
    closed_by: str
    closed_by_name: str
    closed_at: datetime


class CashupOut(Out):
    event_id: str
    currency: str
    closed: CashCloseOut | None
    rows: list[CashRowOut]


class CountIn(In):
    crew_id: Annotated[str | None, Field(min_length=1, max_length=64)] = None  # default: me
    method: PaymentMethod
    counted_cents: Cents
    note: Annotated[str, Field(max_length=500)] = ""
