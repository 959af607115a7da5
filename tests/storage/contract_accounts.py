"""Crew accounts on every backend: account updates, sessions per member, and sign-in guess
counters that never pass their limit however many callers race. Mixed into StoreContract."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from shipcaptaincrew.domain.accounts import AttemptSlot
from shipcaptaincrew.domain.errors import NotFound
from shipcaptaincrew.domain.models import Role, Session
from shipcaptaincrew.storage.base import Store
from tests import factories as f
from tests.factories import T0

END = T0 + timedelta(minutes=15)


def _slots(key: str = "1.2.3.4", window: int = 1000, pair: int = 2, address: int = 3):
    return [
        AttemptSlot("account:a@b.c", key, window, pair, END),
        AttemptSlot(f"address:{key}", "", window, address, END),
    ]


def _session(member_id: str, name: str, minutes: int = 0) -> Session:
    at = T0 + timedelta(minutes=minutes)
    return Session(name * 64, member_id, "csrf", at, at + timedelta(hours=12))


class AccountsContract:
    def test_guesses_stop_at_the_first_full_counter_and_change_nothing(self, store: Store):
        slots = _slots(pair=2, address=3)
        assert store.take_login_attempt(slots) is None
        assert store.take_login_attempt(slots) is None
        assert store.take_login_attempt(slots) == slots[0]
        # the refused guess took no place at the address: one more account fits there
        other = [AttemptSlot("account:z@b.c", "1.2.3.4", 1000, 2, END), slots[1]]
        assert store.take_login_attempt(other) is None
        assert store.take_login_attempt(other) == slots[1]
        # another address is a counter of its own
        assert store.take_login_attempt(_slots(key="5.6.7.8")) is None
        # a new window starts empty
        assert store.take_login_attempt(_slots(window=1900)) is None

    def test_parallel_guesses_never_pass_the_limit(self, store: Store) -> None:
        slots = _slots(pair=5, address=50)
        with ThreadPoolExecutor(max_workers=16) as pool:
            taken = list(pool.map(lambda _: store.take_login_attempt(slots), range(40)))
        assert taken.count(None) == 5
        assert taken.count(slots[0]) == 35
        assert store.clear_login_attempts("address:1.2.3.4") == 5

    def test_give_back_and_clear(self, store: Store) -> None:
        slots = _slots(pair=2, address=10)
        assert store.take_login_attempt(slots) is None
        assert store.take_login_attempt(slots) is None
        assert store.take_login_attempt(slots) == slots[0]
        store.give_back_login_attempt(slots)
        assert store.take_login_attempt(slots) is None
        entry = f.audit_entry("crew.unlocked")
        assert store.clear_login_attempts("account:a@b.c", entry) == 2
        assert store.list_audit(limit=1) == [entry]
        assert store.clear_login_attempts("account:a@b.c") == 0
        assert store.clear_login_attempts("address:1.2.3.4") == 2
        store.give_back_login_attempt(slots)  # nothing to give back: stays at zero
        assert store.take_login_attempt(slots) is None
        assert store.take_login_attempt(slots) is None
        assert store.take_login_attempt(slots) == slots[0]

    def test_sessions_per_member_touched_and_ended(self, store: Store) -> None:
        ann, bob = f.crew_record("ann@example.org"), f.crew_record("bob@example.org")
        store.add_crew(ann, f.audit_entry())
        store.add_crew(bob, f.audit_entry())
        late, early, bobs = (
            _session(ann.id, "b", 5),
            _session(ann.id, "a", 1),
            _session(bob.id, "c"),
        )
        for s in (late, early, bobs):
            store.add_session(s, f.audit_entry("login"))
        assert store.list_sessions(ann.id) == [early, late]
        assert store.list_sessions("crw_nobody") == []
        used = T0 + timedelta(minutes=9)
        store.touch_session(late.token_hash, at=used, address="10.0.0.9")
        touched = dataclasses.replace(late, last_used_at=used, address="10.0.0.9")
        assert store.get_session(late.token_hash) == touched
        store.touch_session("z" * 64, at=used, address="10.0.0.9")  # gone: nothing
        assert store.get_session("z" * 64) is None
        entry = f.audit_entry("crew.sessions_ended")
        # bob's session is not ann's to end
        assert store.end_sessions(ann.id, [late.token_hash, bobs.token_hash], entry) == 1
        assert store.list_audit(limit=1) == [entry]
        assert store.list_sessions(ann.id) == [early]
        assert store.list_sessions(bob.id) == [bobs]

    def test_update_crew_ends_the_sessions_named(self, store: Store) -> None:
        ann, bob = f.crew_record("ann@example.org"), f.crew_record("bob@example.org")
        store.add_crew(ann, f.audit_entry())
        store.add_crew(bob, f.audit_entry())
        a1, a2, b1 = _session(ann.id, "a"), _session(ann.id, "b", 1), _session(bob.id, "c")
        for s in (a1, a2, b1):
            store.add_session(s, f.audit_entry("login"))
        changed = dataclasses.replace(
            ann, role=Role.CREW, active=False, must_change_password=True, password_hash="h2"
        )
        entry = f.audit_entry("crew.deactivated")
        store.update_crew(changed, entry, end_sessions=[a1.token_hash, b1.token_hash])
        assert store.get_crew(ann.id) == changed
        assert store.get_crew_by_email("ann@example.org") == changed
        assert store.list_audit(limit=1) == [entry]
        assert store.list_sessions(ann.id) == [a2]
        assert store.list_sessions(bob.id) == [b1]
        before = store.list_audit(limit=100)
        with pytest.raises(NotFound):
            store.update_crew(f.crew_record("nobody@example.org"), f.audit_entry())
        assert store.list_audit(limit=100) == before
