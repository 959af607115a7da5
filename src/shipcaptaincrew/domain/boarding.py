"""The boarding gate: what a patron still lacks to board, and boarding anyway."""

from __future__ import annotations

from .errors import Invalid
from .models import Booking

MAX_REASON = 500


def missing(booking: Booking) -> list[str]:
    """What stands between this booking and boarding: "payment" and/or "waiver"."""
    gaps = []
    if not booking.payment_cleared:
        gaps.append("payment")
    if not booking.waiver_signed:
        gaps.append("waiver")
    return gaps


def board_anyway_reason(reason: str) -> str:
    """The reason crew give to board someone the gate stops, trimmed; never blank."""
    text = reason.strip()
    if not text:
        raise Invalid(
            "Boarding anyway needs a reason (for example: paying by invoice).",
            {"board_anyway": reason},
        )
    if len(text) > MAX_REASON:
        raise Invalid(f"The reason is longer than {MAX_REASON} characters.", {"length": len(text)})
    return text
