"""The forms production's existing clients send: "confirm paid" without an amount, and the
events list with rosters that its smoke test reads."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from shipcaptaincrew.domain.models import Role


def _confirm(api, event_id, patron_id, body=None, key=None, **kw):
    headers = {"Idempotency-Key": key} if key else {}
    url = f"/api/events/{event_id}/{patron_id}/payment"
    if body is None:  # no body at all, as production's console posts
        return api.client.post(url, headers=api.headers(Role.CREW, **headers))
    return api.post(url, body, role=Role.CREW, headers=headers, **kw)


@pytest.mark.parametrize("body", [None, {}, {"payment_cleared": True}])
def test_confirm_paid_logs_the_balance_left_as_not_recorded(api, body) -> None:
    event = api.event(price_cents=3000)
    patron = api.patron(event["id"], "Ann Lee", party_size=2)
    pid = patron["patron_id"]
    part = api.post(
        f"/api/events/{event['id']}/{pid}/payment",
        {"amount_cents": 1000, "method": "cash"},
        role=Role.CREW,
    )
    assert part.status_code == 201
    r = _confirm(api, event["id"], pid, body)
    assert r.status_code == 201, r.text
    payment, booking = r.json()["payment"], r.json()["booking"]
    assert (payment["amount_cents"], payment["method"], payment["logged_by"]) == (
        5000,
        "unspecified",
        "Crew Person",
    )
    assert payment["receipt_no"] == 2
    assert (booking["amount_paid_cents"], booking["payment_cleared"]) == (6000, True)
    assert booking["receipt_email"] == "queued"
    entries = api.get(f"/api/audit?patron_id={pid}").json()["entries"]
    assert entries[0]["action"] == "payment.logged"
    assert entries[0]["data"]["method"] == "unspecified"
    assert entries[0]["actor_name"] == "Crew Person"
    receipts = [
        m for m in api.ctx.store.list_outbox() if m.payload.get("payment_id") == payment["id"]
    ]
    assert [m.kind for m in receipts] == ["payment_receipt"]
    pdf = api.get(f"/api/payments/{payment['id']}/receipt.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Not recorded" in text


def test_confirm_on_a_paid_booking_answers_its_status_and_logs_nothing(api) -> None:
    event = api.event()
    pid = api.patron(event["id"])["patron_id"]
    first = _confirm(api, event["id"], pid, {}, key="confirm-1")
    assert first.status_code == 201
    replay = _confirm(api, event["id"], pid, {}, key="confirm-1")
    assert (replay.status_code, replay.json()["payment"]) == (200, first.json()["payment"])
    again = _confirm(api, event["id"], pid, {"payment_cleared": True})
    assert again.status_code == 200
    status = api.get(f"/api/events/{event['id']}/{pid}/payment").json()
    assert again.json() == status
    assert (status["payment_cleared"], len(status["payments"])) == (True, 1)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount_cents": 100}, "method"),
        ({"method": "cash"}, "amount_cents"),
        ({"payment_cleared": True, "amount_cents": 100}, "method"),
    ],
)
def test_an_amount_still_needs_a_method(api, body, field) -> None:
    event = api.event()
    pid = api.patron(event["id"])["patron_id"]
    r = _confirm(api, event["id"], pid, body)
    assert r.status_code == 422
    [error] = r.json()["error"]["details"]["errors"]
    assert (error["loc"], error["type"]) == (["body", field], "missing")
    assert api.get(f"/api/events/{event['id']}/{pid}/payment").json()["payments"] == []


def test_payment_cleared_false_is_refused(api) -> None:
    event = api.event()
    pid = api.patron(event["id"])["patron_id"]
    r = _confirm(api, event["id"], pid, {"payment_cleared": False})
    assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid")
    assert api.get(f"/api/events/{event['id']}/{pid}/payment").json()["payments"] == []


def test_events_include_roster_carries_the_roster_fields(api) -> None:
    event = api.event()
    api.patron(event["id"], "Zoe")
    api.patron(event["id"], "Ben", party_size=2)
    plain = api.get("/api/events").json()
    assert [set(e) - {"roster"} == set(e) for e in plain["events"]] == [True]
    with_roster = api.get("/api/events?include=roster").json()
    roster = api.get(f"/api/events/{event['id']}/roster").json()
    [listed] = with_roster["events"]
    assert listed["roster"] == roster["roster"]
    assert [b["name"] for b in listed["roster"]] == ["Ben", "Zoe"]
    assert {k: v for k, v in listed.items() if k != "roster"} == plain["events"][0]
    assert api.get("/api/events?include=everything").status_code == 422
