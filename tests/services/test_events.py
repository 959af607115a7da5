"""Creating, editing and listing events through the use cases on SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from shipcaptaincrew.domain.errors import Forbidden, Invalid
from shipcaptaincrew.domain.models import Role
from shipcaptaincrew.services import events
from tests import factories as f


def test_create_keeps_utc_and_edits_are_audited_with_before_and_after(ctx) -> None:
    admin = f.crew_fast(ctx, Role.ADMIN, "admin@example.org")
    start = datetime(2026, 7, 2, 18, 0, tzinfo=timezone(timedelta(hours=-4)))
    view = events.create_event(
        ctx,
        by=admin,
        title=" Sunset ",
        starts_at=start,
        ends_at=None,
        location="Pier",
        capacity=10,
        price_cents=4500,
        currency=None,
    )
    event = view.event
    assert (event.title, event.starts_at, event.currency) == (
        "Sunset",
        datetime(2026, 7, 2, 22, 0, tzinfo=UTC),
        "USD",
    )
    assert view.counts.booked == 0
    f.booking(ctx, admin, event.id, party_size=2)
    edited = events.update_event(
        ctx, by=admin, event_id=event.id, changes={"price_cents": 5000, "title": "Sunset"}
    )
    assert (edited.event.price_cents, edited.event.version, edited.counts.places) == (5000, 2, 2)
    entry = ctx.store.list_audit(event_id=event.id)[0]
    assert (entry.action, entry.data) == (
        "event.updated",
        {"price_cents": {"from": 4500, "to": 5000}},
    )
    with pytest.raises(Invalid):
        events.update_event(ctx, by=admin, event_id=event.id, changes={"id": "evt_x"})


def test_list_puts_today_and_upcoming_first_with_counts(ctx, clock) -> None:
    admin = f.crew_fast(ctx, Role.ADMIN, "admin@example.org")
    old = f.event(ctx, admin, title="Old", starts_at=clock.now - timedelta(days=3))
    older = f.event(ctx, admin, title="Older", starts_at=clock.now - timedelta(days=9))
    later = f.event(ctx, admin, title="Later", starts_at=clock.now + timedelta(days=2))
    soon = f.event(ctx, admin, title="Soon", starts_at=clock.now + timedelta(hours=1))
    f.booking(ctx, admin, soon.id, party_size=3)
    listed = events.list_events(ctx)
    assert [v.event.id for v in listed] == [soon.id, later.id, old.id, older.id]
    assert [v.counts.places for v in listed] == [3, 0, 0, 0]
    assert events.event_view(ctx, event_id=soon.id).counts.places == 3


def test_crew_cannot_create_events(ctx) -> None:
    deck = f.crew_fast(ctx, Role.CREW, "deck@example.org")
    with pytest.raises(Forbidden):
        f.event(ctx, deck)
