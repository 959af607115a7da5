"""Credit ledger rules: lots spent soonest-expiry first, expiry, never below zero."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from shipcaptaincrew.domain import credits as ledger
from shipcaptaincrew.domain.errors import Conflict, Invalid
from tests.factories import T0


def _issue(entries, cents, days, currency="USD"):
    return ledger.issue(
        entries,
        patron_id="pat_1",
        amount_cents=cents,
        currency=currency,
        at=T0,
        expires_at=T0 + timedelta(days=days),
        by="crew:c1",
    )


def _use(entries, cents, at=T0, currency="USD"):
    return ledger.use(
        entries,
        patron_id="pat_1",
        amount_cents=cents,
        currency=currency,
        at=at,
        by="crew:c1",
        event_id="evt_1",
        payment_id="pay_1",
    )


def test_a_use_spends_the_lot_that_expires_first() -> None:
    late = _issue([], 3000, 300)
    soon = _issue([late], 2000, 30)
    entries = [late, soon]
    entries.append(_use(entries, 2500))
    assert [e.seq for e in entries] == [1, 2, 3]
    assert [(lot.entry.seq, lot.left_cents) for lot in ledger.lots(entries, "USD")] == [
        (2, 0),
        (1, 2500),
    ]
    assert ledger.balance(entries, "USD", T0) == 2500
    # The soon lot was spent first, so nothing is lost when it expires.
    assert ledger.balance(entries, "USD", T0 + timedelta(days=31)) == 2500
    assert ledger.expirations(entries, T0 + timedelta(days=31), by="system") == []


def test_what_is_left_of_a_lot_expires_and_is_written_down_once() -> None:
    lot = _issue([], 3000, 30)
    entries = [lot, _use([lot], 1000)]
    later = T0 + timedelta(days=30)
    assert ledger.balance(entries, "USD", later) == 0
    [expired] = ledger.expirations(entries, later, by="system")
    assert (expired.kind, expired.amount_cents, expired.lot, expired.seq) == ("expired", 2000, 1, 3)
    assert ledger.expirations([*entries, expired], later, by="system") == []
    with pytest.raises(Conflict, match="Only 0 cents of credit are left"):
        _use([*entries, expired], 1, at=later)


def test_never_below_zero_and_currencies_apart() -> None:
    entries = [_issue([], 1000, 10), dataclasses.replace(_issue([], 500, 10, "EUR"), seq=2)]
    assert ledger.balances(entries, T0) == {"EUR": 500, "USD": 1000}
    with pytest.raises(Conflict) as err:
        _use(entries, 1001)
    assert err.value.details == {"amount_cents": 1001, "credit_cents": 1000, "currency": "USD"}
    with pytest.raises(Invalid):
        _use(entries, 0)
    with pytest.raises(Invalid):
        ledger.expiry(T0, 0)
