"""The roster read costs the same number of store round trips however many of its patrons
hold credit: their balances come in one read, not one per booking."""

from __future__ import annotations

import dataclasses

import pytest

from shipcaptaincrew.domain import credits as ledger
from shipcaptaincrew.services import roster
from shipcaptaincrew.services.context import Context
from shipcaptaincrew.storage.base import LedgerWrite
from tests import factories as f
from tests.store_calls import counted


def _roster_calls(ctx: Context, parties: int, credited: int) -> tuple[int, dict[str, int]]:
    admin = f.crew(ctx)
    event = f.event(ctx, admin, capacity=None)
    for i in range(parties):
        b = f.booking(ctx, admin, event.id, name=f"Pat {i:03d}")
        if i < credited:
            entry = ledger.issue(
                [],
                patron_id=b.patron_id,
                amount_cents=1000 + i,
                currency="USD",
                at=ctx.now(),
                expires_at=ledger.expiry(ctx.now(), 30),
                by="crew:test",
            )
            ctx.store.commit_ledger(LedgerWrite(credits=[entry]))
    with counted(ctx) as calls:
        view = roster.roster(ctx, event_id=event.id)
    return len(calls), view.credits


@pytest.fixture(params=["sqlite", "postgresql", "dynamodb"])
def any_ctx(request: pytest.FixtureRequest, ctx: Context) -> Context:
    if request.param == "dynamodb":
        return request.getfixturevalue("dynamo_ctx")
    if request.param == "postgresql":
        return dataclasses.replace(ctx, store=request.getfixturevalue("pg_store"))
    return ctx


def test_roster_read_is_a_fixed_number_of_round_trips(any_ctx: Context) -> None:
    few, few_credit = _roster_calls(any_ctx, parties=3, credited=1)
    many, many_credit = _roster_calls(any_ctx, parties=60, credited=40)
    assert few == many == 4  # the event, its bookings, their receipt emails, their credit
    assert few_credit == {next(iter(few_credit)): 1000}
    assert sorted(many_credit.values()) == [1000 + i for i in range(40)]
