"""``scc demo --remove`` through its use case on SQLite: the demo goes, nothing else does."""

from __future__ import annotations

from datetime import timedelta

from shipcaptaincrew.demo import DEMO_PASSWORD, load_demo
from shipcaptaincrew.domain.models import Role
from shipcaptaincrew.services import events, roster
from shipcaptaincrew.services.demo_accounts import (
    DemoRemoval,
    demo_accounts_with_password,
    remove_demo,
)
from tests import factories as f


def test_remove_demo_keeps_real_data_and_demo_events_real_crew_touched(ctx) -> None:
    assert load_demo(ctx)
    boss = f.crew_fast(ctx, Role.ADMIN, "boss@example.org")
    real = events.create_event(
        ctx,
        by=boss,
        title="Real charter",
        starts_at=ctx.now() + timedelta(days=3),
        ends_at=None,
        location="Pier 9",
        capacity=None,
        price_cents=1000,
        currency=None,
    ).event
    demo_events = ctx.store.list_events()
    [touched] = [e for e in demo_events if e.title == "Beginner Sailing Class"]
    roster.add_patron(ctx, by=boss, event_id=touched.id, name="Real Guest", email="g@example.net")
    # a demo patron also booked on the real event stays, with that booking
    [sunset] = [e for e in demo_events if e.title == "Sunset Harbour Cruise"]
    regular = ctx.store.list_bookings(sunset.id)[0]
    roster.add_patron(
        ctx, by=boss, event_id=real.id, name=regular.patron_name, email=regular.patron_email
    )
    assert len(demo_accounts_with_password(ctx, password=DEMO_PASSWORD)) == 3
    patrons_on_kept = {b.patron_id for b in ctx.store.list_bookings(touched.id)}

    done = remove_demo(ctx)

    assert done == DemoRemoval(
        accounts=3, events=2, patrons=done.patrons, kept=["Beginner Sailing Class"]
    )
    assert done.patrons == 30 - 1  # the two removed events' patrons, less the one booked on
    assert [c.email for c in ctx.store.list_crew()] == ["boss@example.org"]
    assert sorted(e.title for e in ctx.store.list_events()) == [
        "Beginner Sailing Class",
        "Real charter",
    ]
    assert ctx.store.get_patron(regular.patron_id) is not None
    assert [b.patron_id for b in ctx.store.list_bookings(real.id)] == [regular.patron_id]
    assert {b.patron_id for b in ctx.store.list_bookings(touched.id)} == patrons_on_kept
    assert demo_accounts_with_password(ctx, password=DEMO_PASSWORD) == []
    actions = [e.action for e in ctx.store.list_audit(limit=5)]
    assert actions == ["crew.deleted"] * 3 + ["demo.event_removed"] * 2
    assert remove_demo(ctx) == DemoRemoval(0, 0, 0, [])
