"""Request and response models of the weather call: plans, proposals, credit."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field

from .schemas import Currency, In, Out

Id = Annotated[str, Field(min_length=1, max_length=64)]
Reason = Annotated[str, Field(min_length=1, max_length=2000)]
Message = Annotated[str, Field(max_length=2000)]


class PartyIn(In):
    patron_id: Id
    action: Literal["move", "credit", "refund"]
    move_to: Id | None = None  # move: the departure
    reprice: bool = False  # move: the target's price instead of the amount booked at


class CancelIn(In):
    reason: Reason
    message: Message = ""
    parties: Annotated[list[PartyIn], Field(max_length=500)] = []
    default_action: Literal["credit", "refund"] = "credit"
    credit_valid_days: Annotated[int, Field(ge=1, le=3660)] = 365
    allow_refund_request: bool = True


class ShiftIn(In):
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None
    reason: Reason
    message: Message = ""


class RebookIn(In):
    move_to: Id
    reprice: bool = False
    reason: Reason
    message: Message = ""


class CreditIn(In):
    amount_cents: Annotated[int, Field(ge=1, le=10_000_000)]
    currency: Currency
    reason: Reason
    valid_days: Annotated[int, Field(ge=1, le=3660)] = 365


class RunIn(In):
    retry_failed: bool = False


class StepOut(Out):
    patron_id: str
    patron_name: str
    party_size: int
    was: str
    action: str
    move_to: str | None
    reprice: bool
    state: Literal["pending", "done", "failed"]
    done_at: datetime | None
    error: str
    outcome: dict[str, Any]
    choice: str


class PlanOut(Out):
    id: str
    event_id: str
    kind: Literal["cancel", "shift", "rebook"]
    reason: str
    message: str
    created_at: datetime
    created_by_name: str
    finished_at: datetime | None
    credit_expires_at: datetime | None
    allow_refund_request: bool
    new_starts_at: datetime | None
    steps: list[StepOut]


class PlansOut(Out):
    plans: list[PlanOut]


class OptionOut(Out):
    event_id: str
    title: str
    starts_at: datetime
    room: int | None  # places left (None: no capacity set)


class OptionsOut(Out):
    options: list[OptionOut]


class ProposalOut(Out):
    patron_id: str
    name: str
    party_size: int
    status: str
    paid_cents: int
    currency: str
    action: Literal["move", "credit", "refund"]
    move_to: str | None
    options: list[OptionOut]


class ProposalsOut(Out):
    event_id: str
    parties: list[ProposalOut]


class CreditBalanceOut(Out):
    currency: str
    cents: int


class CreditEntryOut(Out):
    id: str
    kind: Literal["issued", "used", "expired"]
    amount_cents: int
    currency: str
    at: datetime
    expires_at: datetime | None
    event_id: str | None
    note: str


class CreditOut(Out):
    patron_id: str
    balances: list[CreditBalanceOut]
    entries: list[CreditEntryOut]
