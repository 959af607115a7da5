"""Events with counts, the roster with its ready flag, attendance, paper waivers, audit."""

from __future__ import annotations

from shipcaptaincrew.domain.models import Role


def test_event_create_read_update_and_audit(api, clock) -> None:
    event = api.event(capacity=12)
    assert event["starts_at"] == "2026-07-01T22:00:00Z"
    assert event["status"] == "scheduled"
    assert event["counts"]["booked"] == 0
    clock.advance(minutes=1)
    r = api.patch(
        f"/api/events/{event['id']}",
        {"title": "Moonlight Cruise", "capacity": 14},
        role=Role.CAPTAIN,
    )
    assert r.status_code == 200
    assert (r.json()["title"], r.json()["capacity"]) == ("Moonlight Cruise", 14)
    got = api.get(f"/api/events/{event['id']}").json()
    assert got["title"] == "Moonlight Cruise"
    [updated] = [
        e
        for e in api.get(f"/api/audit?event_id={event['id']}").json()["entries"]
        if e["action"] == "event.updated"
    ]
    assert updated["actor_name"] == "Captain Person"
    assert updated["data"] == {
        "title": {"from": "Sunset Cruise", "to": "Moonlight Cruise"},
        "capacity": {"from": 12, "to": 14},
    }


def test_events_list_counts_and_order(api) -> None:
    later = api.event(title="Later", starts_at="2026-07-09T10:00:00Z", ends_at=None)
    past = api.event(title="Past", starts_at="2026-06-01T10:00:00Z", ends_at=None)
    soon = api.event(title="Soon", starts_at="2026-07-01T15:00:00Z", ends_at=None, price_cents=1000)
    a = api.patron(soon["id"], "A One", party_size=2)
    api.patron(soon["id"], "B Two")
    api.post(
        f"/api/events/{soon['id']}/{a['patron_id']}/payment",
        {"amount_cents": 2000, "method": "card"},
    )
    api.post(f"/api/events/{soon['id']}/{a['patron_id']}/attendance", {"checked_in": True})
    api.post(f"/api/events/{soon['id']}/{a['patron_id']}/waiver", {"kind": "paper"})
    events = api.get("/api/events", role=Role.CREW).json()["events"]
    assert [e["title"] for e in events] == ["Soon", "Later", "Past"]
    assert events[0]["counts"] == {
        "booked": 2,
        "places": 3,
        "waitlisted": 0,
        "checked_in": 1,
        "waivers": 1,
        "paid": 1,
        "ready": 1,
        "amount_due_cents": 3000,
        "amount_collected_cents": 2000,
    }
    assert later["id"] != past["id"]


def test_roster_entries_and_ready_flag(api) -> None:
    event = api.event()
    p = api.patron(event["id"], "Zoë O'Brien", email="Zoe@Example.com", party_size=2)
    base = f"/api/events/{event['id']}/{p['patron_id']}"
    api.post(f"{base}/payment", {"amount_cents": 9000, "method": "cash"})
    api.post(f"{base}/waiver", {"kind": "paper"}, role=Role.CREW)
    r = api.get(f"/api/events/{event['id']}/roster", role=Role.CREW).json()
    [entry] = r["roster"]
    assert entry["ready"] is False
    assert api.post(f"{base}/attendance", {"checked_in": True}, role=Role.CREW).json()["ready"]
    r = api.get(f"/api/events/{event['id']}/roster").json()
    [entry] = r["roster"]
    assert entry["name"] == "Zoë O'Brien"
    assert entry["email"] == "zoe@example.com"
    assert entry["checked_in"] is True
    assert entry["checked_in_at"] == "2026-07-01T12:00:00Z"
    assert entry["waiver_signed"] is True
    assert entry["waiver_kind"] == "paper"
    assert entry["ready"] is True
    assert entry["guest_url"].startswith("http://testserver/g/")
    assert len(entry["guest_url"].rsplit("/", 1)[1]) == 32
    assert r["counts"]["ready"] == 1


def test_existing_patron_matched_by_email_and_no_double_booking(api) -> None:
    first = api.event(title="One")
    second = api.event(title="Two")
    a = api.patron(first["id"], "Ann Lee", email="ann@example.com")
    b = api.patron(second["id"], "Ann Lee", email="ANN@example.com")
    assert a["patron_id"] == b["patron_id"]
    r = api.post(f"/api/events/{first['id']}/roster", {"name": "Ann", "email": "ann@example.com"})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "duplicate"


def test_capacity_waitlists(api) -> None:
    event = api.event(capacity=3)
    assert api.patron(event["id"], "A One", party_size=2)["status"] == "booked"
    assert api.patron(event["id"], "B Two", party_size=2)["status"] == "waitlisted"
    assert api.patron(event["id"], "C Three", party_size=1)["status"] == "booked"
    counts = api.get(f"/api/events/{event['id']}/roster").json()["counts"]
    assert (counts["booked"], counts["places"], counts["waitlisted"]) == (2, 3, 1)


def test_waitlisted_patron_is_promoted_when_a_place_frees(api) -> None:
    event = api.event(capacity=3)
    a = api.patron(event["id"], "A One", party_size=2)
    b = api.patron(event["id"], "B Two", party_size=2)
    assert b["status"] == "waitlisted"
    path = f"/api/events/{event['id']}/{b['patron_id']}/promote"
    assert api.post(path, role=Role.CREW).status_code == 403
    full = api.post(path, role=Role.CAPTAIN)
    assert full.status_code == 409
    assert full.json()["error"]["details"] == {"places_booked": 2, "capacity": 3, "party_size": 2}
    api.post(f"/api/events/{event['id']}/{a['patron_id']}/cancel", {"reason": "sick"})
    r = api.post(path, role=Role.CAPTAIN)
    assert r.status_code == 200
    assert r.json()["status"] == "booked"
    again = api.post(path, role=Role.CAPTAIN)
    assert again.status_code == 409
    assert again.json()["error"]["message"] == "This booking is booked, not waitlisted."
    counts = api.get(f"/api/events/{event['id']}/roster").json()["counts"]
    assert (counts["booked"], counts["places"], counts["waitlisted"]) == (1, 2, 0)
    actions = [
        e["action"] for e in api.get(f"/api/audit?patron_id={b['patron_id']}").json()["entries"]
    ]
    assert actions[0] == "booking.promoted"


def test_check_in_and_undo_are_audited_with_actor(api, clock) -> None:
    event = api.event()
    p = api.patron(event["id"])
    path = f"/api/events/{event['id']}/{p['patron_id']}/attendance"
    assert api.post(path, {"checked_in": True}, role=Role.CREW).json()["checked_in"] is True
    assert api.post(path, {"checked_in": True}, role=Role.CREW).status_code == 200
    clock.advance(minutes=3)
    undone = api.post(path, {"checked_in": False}, role=Role.CREW).json()
    assert undone["checked_in"] is False
    assert undone["checked_in_at"] is None
    actions = [
        (e["action"], e["actor_name"], e["data"])
        for e in api.get(f"/api/audit?patron_id={p['patron_id']}").json()["entries"]
    ]
    assert actions[:2] == [
        (
            "attendance.undone",
            "Crew Person",
            {"checked_in": False, "previous_at": "2026-07-01T12:00:00+00:00"},
        ),
        ("attendance.checked_in", "Crew Person", {"checked_in": True, "previous_at": None}),
    ]


def test_paper_waiver_confirmation(api) -> None:
    event = api.event()
    p = api.patron(event["id"])
    path = f"/api/events/{event['id']}/{p['patron_id']}/waiver"
    assert api.get(path).json()["waiver_signed"] is False
    r = api.post(path, {"kind": "paper"}, role=Role.CREW)
    assert r.status_code == 200
    body = r.json()
    assert (body["waiver_signed"], body["kind"], body["at"]) == (
        True,
        "paper",
        "2026-07-01T12:00:00Z",
    )
    crew_id = api.ctx.store.get_crew_by_email("crew@example.org").id
    assert body["by"] == crew_id
    assert api.get(path).json()["waiver_signed"] is True


def test_audit_entries_are_append_only_through_the_api(api) -> None:
    event = api.event()
    entries = api.get(f"/api/audit?event_id={event['id']}").json()["entries"]
    assert [e["action"] for e in entries] == ["event.created"]
    for method in ("PUT", "PATCH", "DELETE"):
        r = api.client.request(method, "/api/audit", headers=api.headers())
        assert r.status_code == 405
