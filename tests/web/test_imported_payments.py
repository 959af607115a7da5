"""Payments carried over by scc import-legacy: shown like any other, never logged by crew."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from shipcaptaincrew.domain.legacy import LegacyMapping
from shipcaptaincrew.domain.legacy_events import legacy_event
from shipcaptaincrew.services.legacy_import import import_legacy

ITEM = {
    "event_id": "old-1",
    "title": "Sunset cruise",
    "date": "2026-07-04T18:00:00-04:00",
    "price": 45,
    "participants": [
        {"patron_id": "p1", "name": "Ann Lee", "email": "ann@example.com", "payment_cleared": True},
        {"patron_id": "p2", "name": "Bo Chen", "email": "bo@example.com"},
    ],
}


def test_imported_payment_shows_in_the_status_and_crew_cannot_log_one(api) -> None:
    event = legacy_event(ITEM, LegacyMapping(), ZoneInfo("UTC"))
    import_legacy(api.ctx, events=[event], dry_run=False)
    [stored] = api.ctx.store.list_events()
    ann, bo = api.ctx.store.list_bookings(stored.id)
    r = api.get(f"/api/events/{stored.id}/{ann.patron_id}/payment")
    assert r.status_code == 200
    body = r.json()
    assert (body["payment_cleared"], body["amount_paid_cents"], body["balance_cents"]) == (
        True, 4500, 0,
    )  # fmt: skip
    [payment] = body["payments"]
    assert (payment["method"], payment["amount_cents"], payment["logged_by"]) == (
        "imported", 4500, "Legacy import",
    )  # fmt: skip

    path = f"/api/events/{stored.id}/{bo.patron_id}/payment"
    r = api.post(path, {"amount_cents": 4500, "method": "imported"})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "invalid"
    assert [e["loc"] for e in err["details"]["errors"]] == [["body", "method"]]
    r = api.post(
        f"/api/events/{stored.id}/payments/batch",
        {"payments": [{"patron_id": bo.patron_id, "method": "imported"}]},
    )
    assert r.status_code == 422
    assert api.ctx.store.list_payments(stored.id, bo.patron_id) == []
