"""The weather call over HTTP: the proposal, a cancellation with its plan, a shift, a
rebooking, the credit on the card and spent as a payment."""

from __future__ import annotations

from datetime import datetime, timedelta

from shipcaptaincrew.domain import outbox as ob
from shipcaptaincrew.domain.models import Role
from tests.web.conftest import Api


def _pay(api: Api, event_id: str, patron_id: str, cents: int, method: str = "cash") -> None:
    r = api.post(
        f"/api/events/{event_id}/{patron_id}/payment", {"amount_cents": cents, "method": method}
    )
    assert r.status_code == 201, r.text


def test_cancel_with_a_plan_then_credit_pays_a_later_booking(api: Api) -> None:
    rainy = api.event(title="Rainy")
    later = api.event(title="Later", starts_at="2026-07-08T18:00:00-04:00", ends_at=None)
    ann = api.patron(rainy["id"], "Ann Lee", party_size=2)
    bob = api.patron(rainy["id"], "Bob Ray")
    _pay(api, rainy["id"], ann["patron_id"], 9000)
    _pay(api, rainy["id"], bob["patron_id"], 4500)
    r = api.get(f"/api/events/{rainy['id']}/settlement-proposal")
    assert r.status_code == 200, r.text
    proposed = {p["name"]: p for p in r.json()["parties"]}
    assert (proposed["Ann Lee"]["action"], proposed["Ann Lee"]["move_to"]) == ("move", later["id"])
    assert [o["room"] for o in proposed["Ann Lee"]["options"]] == [20]
    assert proposed["Bob Ray"]["paid_cents"] == 4500
    body = {
        "reason": "Storm",
        "message": "See you soon.",
        "parties": [
            {"patron_id": ann["patron_id"], "action": "move", "move_to": later["id"]},
            {"patron_id": bob["patron_id"], "action": "credit"},
        ],
    }
    assert (
        api.post(f"/api/events/{rainy['id']}/cancellation", body, role=Role.CREW).status_code == 403
    )
    bad = api.post(f"/api/events/{rainy['id']}/cancellation", {**body, "reason": ""})
    assert bad.status_code == 422
    r = api.post(f"/api/events/{rainy['id']}/cancellation", body)
    assert r.status_code == 201, r.text
    plan = r.json()
    assert [(s["patron_name"], s["action"], s["state"]) for s in plan["steps"]] == [
        ("Ann Lee", "move", "done"),
        ("Bob Ray", "credit", "done"),
    ]
    assert plan["steps"][1]["outcome"]["credited"] == 4500
    again = api.post(f"/api/events/{rainy['id']}/settlements/{plan['id']}/run", {})
    assert (
        again.status_code == 200
        and again.json() == api.get(f"/api/events/{rainy['id']}/settlements/{plan['id']}").json()
    )
    twice = api.post(f"/api/events/{rainy['id']}/cancellation", body)
    assert twice.status_code == 409
    listed = api.get(f"/api/events/{rainy['id']}/settlements").json()["plans"]
    csv = api.get(f"/api/events/{rainy['id']}/settlements/{plan['id']}/report.csv")
    assert (csv.status_code, csv.headers["content-type"]) == (200, "text/csv; charset=utf-8")
    assert csv.text.splitlines()[1].split(",")[1:7] == [
        "Ann Lee", "2", "booked", "move", "done", "Later"
    ]  # fmt: skip
    pdf = api.get(f"/api/events/{rainy['id']}/settlements/{plan['id']}/report.pdf")
    assert (pdf.status_code, pdf.content[:4]) == (200, b"%PDF")
    crew_pdf = api.get(
        f"/api/events/{rainy['id']}/settlements/{plan['id']}/report.pdf", role=Role.CREW
    )
    assert crew_pdf.status_code == 403
    assert [p["id"] for p in listed] == [plan["id"]]
    moved = api.get(f"/api/events/{later['id']}/{ann['patron_id']}/payment").json()
    assert (moved["amount_paid_cents"], moved["payment_cleared"]) == (9000, True)
    assert [p["method"] for p in moved["payments"]] == ["credit"]
    mails = [m for m in api.ctx.store.list_outbox() if m.kind == ob.SETTLED]
    assert sorted(m.patron_id for m in mails) == sorted([ann["patron_id"], bob["patron_id"]])
    # Bob's credit: on his card, then spent on a later booking.
    again_bob = api.patron(later["id"], "Bob Ray", email=bob["email"])
    card = api.get(f"/api/events/{later['id']}/{again_bob['patron_id']}/payment").json()
    assert card["credit_cents"] == 4500
    listed_credit = api.get(f"/api/events/{later['id']}/roster").json()["credit"]
    assert listed_credit == {bob["patron_id"]: 4500}  # on the card, from the roster read
    paid = api.post(
        f"/api/events/{later['id']}/{again_bob['patron_id']}/payment",
        {"amount_cents": 4500, "method": "credit"},
    )
    assert paid.status_code == 201, paid.text
    assert paid.json()["booking"]["payment_cleared"] is True
    credit = api.get(f"/api/patrons/{bob['patron_id']}/credit").json()
    assert credit["balances"] == [{"currency": "USD", "cents": 0}]
    assert [(e["kind"], e["amount_cents"]) for e in credit["entries"]] == [
        ("issued", 4500),
        ("used", 4500),
    ]


def test_shift_a_departure_and_rebook_one_party(api: Api) -> None:
    trip = api.event(title="Morning")
    other = api.event(title="Evening", starts_at="2026-07-02T18:00:00-04:00", ends_at=None)
    ann = api.patron(trip["id"], "Ann Lee")
    bob = api.patron(trip["id"], "Bob Ray")
    _pay(api, trip["id"], bob["patron_id"], 4500)
    body = {"starts_at": "2026-07-01T20:00:00-04:00", "ends_at": None, "reason": "Tide"}
    r = api.post(f"/api/events/{trip['id']}/shift", body)
    assert r.status_code == 201, r.text
    assert [s["action"] for s in r.json()["steps"]] == ["keep", "keep"]
    assert api.get(f"/api/events/{trip['id']}").json()["starts_at"].startswith("2026-07-02T00:00")
    choices = api.get(f"/api/events/{trip['id']}/{bob['patron_id']}/rebook-options")
    assert choices.status_code == 200, choices.text
    assert [(o["event_id"], o["room"]) for o in choices.json()["options"]] == [(other["id"], 20)]
    crew_choices = api.get(
        f"/api/events/{trip['id']}/{bob['patron_id']}/rebook-options", role=Role.CREW
    )
    assert crew_choices.status_code == 403
    assert api.get(f"/api/events/{trip['id']}/pat_nobody/rebook-options").status_code == 404
    rebook = {"move_to": other["id"], "reason": "Asked to", "reprice": False}
    r = api.post(f"/api/events/{trip['id']}/{bob['patron_id']}/rebook", rebook)
    assert r.status_code == 201, r.text
    [step] = r.json()["steps"]
    assert (step["action"], step["state"], step["outcome"]["carried"]) == ("move", "done", 4500)
    roster = {p["name"]: p for p in api.get(f"/api/events/{other['id']}/roster").json()["roster"]}
    assert roster["Bob Ray"]["amount_paid_cents"] == 4500
    kinds = sorted(
        (m.patron_id, m.payload["plan_id"])
        for m in api.ctx.store.list_outbox()
        if m.kind == ob.SETTLED
    )
    assert [k[0] for k in kinds].count(bob["patron_id"]) == 2  # the shift, then the rebooking
    assert [k[0] for k in kinds].count(ann["patron_id"]) == 1
    gone = api.post(f"/api/events/{trip['id']}/{bob['patron_id']}/rebook", rebook)
    assert gone.status_code == 422  # no longer booked there


def test_an_admin_gives_credit_by_hand_with_a_reason_and_an_expiry(api: Api) -> None:
    trip = api.event(title="Morning")
    ann = api.patron(trip["id"], "Ann Lee")
    url = f"/api/patrons/{ann['patron_id']}/credit"
    body = {
        "amount_cents": 2500,
        "currency": "USD",
        "reason": "Seasick last week",
        "valid_days": 30,
    }
    assert api.post(url, body, role=Role.CREW).status_code == 403
    assert api.post(url, {**body, "reason": "  "}).status_code == 422
    assert api.post(url, {**body, "amount_cents": 0}).status_code == 422
    assert api.post("/api/patrons/pat_nobody/credit", body).status_code == 404
    r = api.post(url, body)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["balances"] == [{"currency": "USD", "cents": 2500}]
    [entry] = out["entries"]
    assert (entry["kind"], entry["note"], entry["event_id"]) == (
        "issued",
        "Seasick last week",
        None,
    )
    issued_at = datetime.fromisoformat(entry["at"])
    assert datetime.fromisoformat(entry["expires_at"]) - issued_at == timedelta(days=30)
    assert api.get(url).json() == out
    [logged] = [e for e in api.ctx.store.list_audit(limit=50) if e.action == "credit.issued"]
    assert (logged.patron_id, logged.data["amount_cents"], logged.data["reason"]) == (
        ann["patron_id"], 2500, "Seasick last week"
    )  # fmt: skip
    card = api.get(f"/api/events/{trip['id']}/{ann['patron_id']}/payment").json()
    assert card["credit_cents"] == 2500
