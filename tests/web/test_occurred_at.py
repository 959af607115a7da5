"""Actions taken offline are sent later with ``occurred_at``: the record keeps the time it
happened, the audit entry records both times, and a repeated Idempotency-Key on a
check-in or paper waiver changes nothing (the console replays its queue exactly once)."""

from __future__ import annotations

from shipcaptaincrew.domain.models import Role

NOW = "2026-07-01T12:00:00Z"  # the test clock
BEFORE = "2026-07-01T11:20:00Z"  # forty minutes earlier, on a phone with no signal


def _audit(api, patron_id, action):
    entries = api.get(f"/api/audit?patron_id={patron_id}").json()["entries"]
    return [e for e in entries if e["action"] == action]


def _checkin(api, event_id, patron_id, on=True, key=None, **kw):
    headers = {"Idempotency-Key": key} if key else {}
    body = {"checked_in": on, **kw}
    return api.post(
        f"/api/events/{event_id}/{patron_id}/attendance", body, role=Role.CREW, headers=headers
    )


def test_check_in_keeps_the_time_it_happened_and_audits_both(api) -> None:
    event = api.event()
    pid = api.patron(event["id"], "Ann Lee")["patron_id"]
    r = _checkin(api, event["id"], pid, key="k-in-1", occurred_at="2026-07-01T07:20:00-04:00")
    assert r.status_code == 200, r.text
    assert r.json()["checked_in_at"] == BEFORE
    [entry] = _audit(api, pid, "attendance.checked_in")
    assert entry["at"] == NOW
    assert entry["data"]["occurred_at"] == "2026-07-01T11:20:00+00:00"
    assert entry["data"]["received_at"] == "2026-07-01T12:00:00+00:00"
    assert entry["data"]["idempotency_key"] == "k-in-1"


def test_a_replayed_check_in_key_changes_nothing(api) -> None:
    event = api.event()
    pid = api.patron(event["id"])["patron_id"]
    assert _checkin(api, event["id"], pid, key="k-1").status_code == 200
    assert _checkin(api, event["id"], pid, on=False, key="k-2").json()["checked_in"] is False
    # The first request again (its answer was lost): already applied, nothing changes.
    again = _checkin(api, event["id"], pid, key="k-1")
    assert again.status_code == 200
    assert again.json()["checked_in"] is False
    assert len(_audit(api, pid, "attendance.checked_in")) == 1
    # The same key for the other action is refused and changes nothing.
    other = _checkin(api, event["id"], pid, on=False, key="k-1")
    assert other.status_code == 409
    assert other.json()["error"]["details"] == {"action": "attendance.checked_in"}


def test_paper_waiver_offline_time_and_replay(api) -> None:
    event = api.event()
    pid = api.patron(event["id"])["patron_id"]
    url = f"/api/events/{event['id']}/{pid}/waiver"
    body = {"kind": "paper", "occurred_at": BEFORE}
    first = api.post(url, body, role=Role.CREW, headers={"Idempotency-Key": "w-1"})
    assert first.status_code == 200, first.text
    assert first.json()["at"] == BEFORE
    again = api.post(url, body, role=Role.CREW, headers={"Idempotency-Key": "w-1"})
    assert again.json()["at"] == BEFORE
    [entry] = _audit(api, pid, "waiver.paper_confirmed")
    assert (entry["data"]["occurred_at"], entry["data"]["received_at"]) == (
        "2026-07-01T11:20:00+00:00",
        "2026-07-01T12:00:00+00:00",
    )


def test_payment_and_batch_keep_the_time_they_happened(api) -> None:
    event = api.event()
    one, two, three = (api.patron(event["id"], n)["patron_id"] for n in ("A B", "C D", "E F"))
    r = api.post(
        f"/api/events/{event['id']}/{one}/payment",
        {"amount_cents": 4500, "method": "cash", "occurred_at": BEFORE},
        role=Role.CREW,
        headers={"Idempotency-Key": "p-1"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["payment"]["logged_at"] == BEFORE
    assert r.json()["booking"]["cleared_at"] == BEFORE
    [entry] = _audit(api, one, "payment.logged")
    assert entry["at"] == NOW
    assert entry["data"]["occurred_at"] == "2026-07-01T11:20:00+00:00"
    assert entry["data"]["received_at"] == "2026-07-01T12:00:00+00:00"
    batch = api.post(
        f"/api/events/{event['id']}/payments/batch",
        {
            "payments": [
                {"patron_id": two, "method": "card"},
                {"patron_id": three, "method": "card"},
            ],
            "occurred_at": "2026-07-01T11:45:00Z",
        },
        role=Role.CREW,
        headers={"Idempotency-Key": "b-1"},
    )
    assert batch.status_code == 201, batch.text
    assert [p["payment"]["logged_at"] for p in batch.json()["payments"]] == [
        "2026-07-01T11:45:00Z",
        "2026-07-01T11:45:00Z",
    ]
    assert _audit(api, three, "payment.logged")[0]["data"]["received_at"] == (
        "2026-07-01T12:00:00+00:00"
    )


def test_occurred_at_in_the_future_or_too_old_is_refused_and_changes_nothing(api) -> None:
    event = api.event()
    pid = api.patron(event["id"])["patron_id"]
    future = _checkin(api, event["id"], pid, occurred_at="2026-07-01T12:10:00Z")
    assert future.status_code == 422
    assert future.json()["error"]["message"] == "occurred_at is in the future."
    old = api.post(
        f"/api/events/{event['id']}/{pid}/payment",
        {"amount_cents": 100, "method": "cash", "occurred_at": "2026-06-30T11:59:00Z"},
    )
    assert old.status_code == 422
    assert old.json()["error"]["details"] == {
        "occurred_at": "2026-06-30T11:59:00+00:00",
        "received_at": "2026-07-01T12:00:00+00:00",
    }
    naive = _checkin(api, event["id"], pid, occurred_at="2026-07-01T11:00:00")
    assert naive.status_code == 422
    roster = api.get(f"/api/events/{event['id']}/roster").json()["roster"]
    assert (roster[0]["checked_in"], roster[0]["amount_paid_cents"]) == (False, 0)
    assert _audit(api, pid, "attendance.checked_in") == []
