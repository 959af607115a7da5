"""Booking emails seen through the API: the booking's email in GET /api/outbox, "Send link"
(once a minute per booking), the QR code, and a patron stopping reminders on the guest page."""

from __future__ import annotations

import re

from shipcaptaincrew.domain.models import Role


def test_a_booking_queues_its_email_visible_in_the_outbox(api) -> None:
    event = api.event(capacity=1)
    booked = api.patron(event["id"], "Ann Lee", email="ann@example.com")
    waiting = api.patron(event["id"], "Пётр", email="petr@example.com")
    r = api.get("/api/outbox")
    assert r.status_code == 200
    got = sorted((m["kind"], m["to"], m["patron_id"], m["status"]) for m in r.json()["messages"])
    assert got == [
        ("booking_confirmed", "ann@example.com", booked["patron_id"], "queued"),
        ("booking_waitlisted", "petr@example.com", waiting["patron_id"], "queued"),
    ]


def test_send_link_once_a_minute(api) -> None:
    event = api.event()
    patron = api.patron(event["id"], email="pat@example.com")
    path = f"/api/events/{event['id']}/{patron['patron_id']}/send-link"
    r = api.post(path, role=Role.CREW)
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["kind"], body["to"], body["status"], body["patron_id"]) == (
        "guest_link",
        "pat@example.com",
        "queued",
        patron["patron_id"],
    )
    again = api.post(path, role=Role.CREW)
    assert again.status_code == 409
    assert again.json() == {
        "error": {
            "code": "conflict",
            "message": "The guest link was just sent; it can be sent again at "
            "2026-07-01T12:01:00+00:00.",
            "details": {"retry_at": "2026-07-01T12:01:00+00:00"},
        }
    }
    api.ctx.clock.advance(minutes=1)
    assert api.post(path, role=Role.CREW).status_code == 201
    links = [m for m in api.get("/api/outbox").json()["messages"] if m["kind"] == "guest_link"]
    assert len(links) == 2
    missing = api.post(f"/api/events/{event['id']}/pat_0000000000000000/send-link")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_the_guest_link_as_a_qr_code(api) -> None:
    event = api.event()
    patron = api.patron(event["id"])
    path = f"/api/events/{event['id']}/{patron['patron_id']}/link.svg"
    r = api.get(path, role=Role.CREW)
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/svg+xml"
    assert r.text.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert "<title>Guest link</title>" in r.text
    assert api.client.get(path).status_code == 401


def test_a_patron_stops_reminders_from_the_guest_page(api) -> None:
    event = api.event(starts_at="2026-07-03T18:00:00-04:00", ends_at="2026-07-03T20:00:00-04:00")
    patron = api.patron(event["id"])
    token = patron["guest_url"].rsplit("/", 1)[1]
    page = api.client.get(f"/g/{token}")
    assert page.status_code == 200
    assert f'action="/g/{token}/reminders"' in page.text
    [form_token] = re.findall(r'name="form_token" value="([^"]*)"', page.text)
    headers = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}
    post = api.client.post
    bad = post(f"/g/{token}/reminders", data={"form_token": "1.x"}, headers=headers)
    assert bad.status_code == 403
    booking = api.ctx.store.get_booking(event["id"], patron["patron_id"])
    assert booking.reminders_stopped_at is None
    r = post(
        f"/g/{token}/reminders",
        data={"form_token": form_token},
        headers=headers,
        follow_redirects=False,
    )
    assert (r.status_code, r.headers["location"]) == (303, f"/g/{token}")
    booking = api.ctx.store.get_booking(event["id"], patron["patron_id"])
    assert booking.reminders_stopped_at == api.ctx.now()
    assert "You won't get reminder emails for this booking" in api.client.get(f"/g/{token}").text
    [entry] = api.get(f"/api/audit?patron_id={patron['patron_id']}&limit=1").json()["entries"]
    assert (entry["action"], entry["actor"]) == (
        "booking.reminders_stopped",
        f"guest:{patron['patron_id']}",
    )


def test_an_event_keeps_its_own_time_zone(api) -> None:
    event = api.event(timezone="Europe/Oslo")
    assert event["timezone"] == "Europe/Oslo"
    assert api.get(f"/api/events/{event['id']}").json()["timezone"] == "Europe/Oslo"
    bad = api.patch(f"/api/events/{event['id']}", {"timezone": "Mars/Olympus"})
    assert bad.status_code == 422
    assert bad.json()["error"] == {
        "code": "invalid",
        "message": "Unknown time zone: use a name like Europe/Oslo.",
        "details": {"timezone": "Mars/Olympus"},
    }
    cleared = api.patch(f"/api/events/{event['id']}", {"timezone": None})
    assert (cleared.status_code, cleared.json()["timezone"]) == (200, None)
    assert api.event()["timezone"] is None
