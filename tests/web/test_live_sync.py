"""Live sync for phones that poll (as on Lambda): the roster's ETag and the changes since a
cursor, each a 304 with no body when nothing changed. Runs in-process on SQLite and
through the Lambda handler on DynamoDB."""

from __future__ import annotations

from shipcaptaincrew.domain.models import Role


def test_roster_etag_answers_304_until_something_changes(api) -> None:
    event = api.event()
    pid = api.patron(event["id"], "Ann Lee")["patron_id"]
    first = api.get(f"/api/events/{event['id']}/roster", role=Role.CREW)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag == f'"{first.json()["cursor"]}"'
    same = api.get(
        f"/api/events/{event['id']}/roster", role=Role.CREW, headers={"If-None-Match": etag}
    )
    assert (same.status_code, same.content, same.headers["etag"]) == (304, b"", etag)
    api.post(f"/api/events/{event['id']}/{pid}/attendance", {"checked_in": True})
    changed = api.get(
        f"/api/events/{event['id']}/roster", role=Role.CREW, headers={"If-None-Match": etag}
    )
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert changed.json()["roster"][0]["checked_in"] is True


def test_changes_since_a_cursor_name_the_changed_bookings_once(api) -> None:
    event = api.event()
    ann, bo, cy = (api.patron(event["id"], n)["patron_id"] for n in ("Ann Lee", "Bo Ek", "Cy Ng"))
    cursor = api.get(f"/api/events/{event['id']}/roster").json()["cursor"]
    url = f"/api/events/{event['id']}/changes?since="
    unchanged = api.get(url + cursor, role=Role.CREW)
    assert (unchanged.status_code, unchanged.content) == (304, b"")

    api.post(f"/api/events/{event['id']}/{bo}/attendance", {"checked_in": True})
    api.post(f"/api/events/{event['id']}/{ann}/payment", {"amount_cents": 4500, "method": "cash"})
    api.post(f"/api/events/{event['id']}/{bo}/waiver", {"kind": "paper"})
    r = api.get(url + cursor, role=Role.CREW)
    assert r.status_code == 200
    body = r.json()
    assert body["reload"] is False
    # Each changed booking once, in the order of its latest change.
    assert [b["patron_id"] for b in body["roster"]] == [ann, bo]
    assert body["roster"][0]["payment_cleared"] is True
    assert (body["roster"][1]["checked_in"], body["roster"][1]["waiver_signed"]) == (True, True)
    assert cy not in [b["patron_id"] for b in body["roster"]]
    assert api.get(url + body["cursor"], role=Role.CREW).status_code == 304


def test_changes_carry_the_credit_of_the_changed_bookings_patrons(api) -> None:
    """Credit is the patron's, outside the booking: a payment from it changes both, so the
    changes say what each changed booking's patron can spend now (those with none are left
    out, as in the roster's answer)."""
    event = api.event()
    ann, bo = (api.patron(event["id"], n)["patron_id"] for n in ("Ann Lee", "Bo Ek"))
    r = api.post(
        f"/api/patrons/{ann}/credit",
        {"amount_cents": 6000, "currency": "USD", "reason": "Rained off", "valid_days": 30},
    )
    assert r.status_code == 201, r.text
    cursor = api.get(f"/api/events/{event['id']}/roster").json()["cursor"]
    r = api.post(
        f"/api/events/{event['id']}/{ann}/payment", {"amount_cents": 4500, "method": "credit"}
    )
    assert r.status_code == 201, r.text
    api.post(f"/api/events/{event['id']}/{bo}/attendance", {"checked_in": True})
    body = api.get(f"/api/events/{event['id']}/changes?since={cursor}", role=Role.CREW).json()
    assert [b["patron_id"] for b in body["roster"]] == [ann, bo]
    assert body["credit"] == {ann: 1500}


def test_an_unknown_cursor_or_an_event_change_asks_for_a_reload(api) -> None:
    event = api.event()
    api.patron(event["id"])
    url = f"/api/events/{event['id']}/changes?since="
    r = api.get(url + "aud_0000000000000000", role=Role.CREW)
    assert r.status_code == 200
    assert (r.json()["reload"], r.json()["roster"]) == (True, [])
    cursor = r.json()["cursor"]
    assert api.patch(f"/api/events/{event['id']}", {"location": "Pier 4"}).status_code == 200
    again = api.get(url + cursor, role=Role.CREW).json()
    assert again["reload"] is True
    for since in ("none", "aud_0000000000000000"):
        missing = api.get(f"/api/events/evt_nope/changes?since={since}", role=Role.CREW)
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "not_found"
