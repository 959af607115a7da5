"""What every Store does with the crew's cash-up: append-only counts and a close written
once, with counts flagged after closing exactly when the close was stored first."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shipcaptaincrew.domain.cashup import CashClose, CashCount
from shipcaptaincrew.domain.errors import DuplicateKey, StaleWrite
from shipcaptaincrew.domain.models import PaymentMethod
from shipcaptaincrew.storage.base import Store
from tests import factories as f
from tests.factories import T0


def _count(event_id: str, n: int, cents: int, after_close: bool = False) -> CashCount:
    return CashCount(
        id=f"cnt_{n}",
        event_id=event_id,
        crew_id="crw_1",
        crew_name="Deck Hand",
        method=PaymentMethod.CASH,
        counted_cents=cents,
        expected_cents=9000,
        currency="USD",
        note=f"count {n}",
        entered_by="crw_1",
        entered_by_name="Deck Hand",
        entered_at=T0 + timedelta(minutes=n),
        after_close=after_close,
    )


class CashupContract:
    def test_counts_append_and_the_close_decides_after_close(self, store: Store) -> None:
        event = f.event_record()
        store.add_event(event, f.audit_entry("event.created", event.id))
        second, first = _count(event.id, 2, 8500), _count(event.id, 1, 8000)
        store.add_cash_count(second, f.audit_entry("cashup.counted"))
        store.add_cash_count(first, f.audit_entry("cashup.counted"))
        with pytest.raises(StaleWrite):  # not closed: a count after closing is refused
            store.add_cash_count(_count(event.id, 3, 1, True), f.audit_entry("wrong"))
        assert store.get_cashup_close(event.id) is None
        close = CashClose(event.id, "crw_9", "Cap", T0 + timedelta(hours=1))
        store.close_cashup(close, f.audit_entry("cashup.closed"))
        with pytest.raises(DuplicateKey):
            store.close_cashup(close, f.audit_entry("again"))
        assert store.get_cashup_close(event.id) == close
        with pytest.raises(StaleWrite):  # closed: a count before closing is refused
            store.add_cash_count(_count(event.id, 4, 1), f.audit_entry("wrong"))
        late = _count(event.id, 5, 9000, True)
        store.add_cash_count(late, f.audit_entry("cashup.counted"))
        assert store.list_cash_counts(event.id) == [first, second, late]
        assert store.list_cash_counts("evt_other") == []
        actions = [e.action for e in store.list_audit()]
        assert "wrong" not in actions and "again" not in actions
