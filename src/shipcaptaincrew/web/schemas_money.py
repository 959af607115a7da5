"""Request and response models for refunds and the providers' webhooks."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from .schemas import BookingOut, Cents, In, PaymentOut


class RefundIn(In):
    amount_cents: Cents
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class RefundOut(BaseModel):
    status: Literal["refunded", "requested"]  # requested: the provider confirms by webhook
    payment: PaymentOut
    refund: PaymentOut | None
    provider_refund: str | None
    booking: BookingOut


class WebhookOut(BaseModel):
    recorded: list[str]
    repeated: list[str]
    kept: list[str]
