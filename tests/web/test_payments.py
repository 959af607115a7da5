"""Production's payment feature through the API: logging, idempotency, the 60-second rule,
partial payments, batch logging and voids."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from shipcaptaincrew.domain.models import Role


def _pay(api, event_id, patron_id, amount=4500, method="cash", key=None, role=Role.CREW, **kw):
    headers = {"Idempotency-Key": key} if key else {}
    return api.post(
        f"/api/events/{event_id}/{patron_id}/payment",
        {"amount_cents": amount, "method": method, **kw},
        role=role,
        headers=headers,
    )


def test_log_payment_clears_booking_and_is_attributed(api) -> None:
    event = api.event()
    patron = api.patron(event["id"], "Ann Lee")
    r = _pay(api, event["id"], patron["patron_id"], reference="till 2", note="exact change")
    assert r.status_code == 201
    body = r.json()
    payment = body["payment"]
    assert payment["amount_cents"] == 4500
    assert payment["currency"] == "USD"
    assert payment["method"] == "cash"
    assert payment["reference"] == "till 2"
    assert payment["note"] == "exact change"
    assert payment["logged_by"] == "Crew Person"
    assert payment["logged_at"] == "2026-07-01T12:00:00Z"
    assert payment["receipt_no"] == 1
    assert payment["voided"] is False
    booking = body["booking"]
    assert booking["payment_cleared"] is True
    assert booking["cleared_at"] == "2026-07-01T12:00:00Z"
    assert (booking["amount_due_cents"], booking["amount_paid_cents"]) == (4500, 4500)
    assert booking["balance_cents"] == 0

    status = api.get(f"/api/events/{event['id']}/{patron['patron_id']}/payment").json()
    assert status["payment_cleared"] is True
    assert status["amount_due_cents"] == 4500
    assert status["amount_paid_cents"] == 4500
    assert [p["id"] for p in status["payments"]] == [payment["id"]]

    audit = api.get(f"/api/audit?patron_id={patron['patron_id']}").json()["entries"]
    logged = [e for e in audit if e["action"] == "payment.logged"]
    assert len(logged) == 1
    assert logged[0]["actor_name"] == "Crew Person"
    assert logged[0]["data"]["amount_cents"] == 4500
    assert logged[0]["data"]["payment_id"] == payment["id"]


def test_amount_due_is_price_times_party_and_partials_add_up(api, clock) -> None:
    event = api.event(price_cents=3000)
    patron = api.patron(event["id"], party_size=3)
    assert patron["amount_due_cents"] == 9000
    first = _pay(api, event["id"], patron["patron_id"], amount=5000)
    assert first.status_code == 201
    assert first.json()["booking"]["payment_cleared"] is False
    assert first.json()["booking"]["balance_cents"] == 4000
    clock.advance(minutes=5)
    second = _pay(api, event["id"], patron["patron_id"], amount=4000, method="card")
    assert second.status_code == 201
    assert second.json()["booking"]["payment_cleared"] is True
    assert second.json()["booking"]["cleared_at"] == "2026-07-01T12:05:00Z"
    assert second.json()["payment"]["receipt_no"] == 2


def test_idempotency_key_replays_first_result(api) -> None:
    event = api.event()
    patron = api.patron(event["id"])
    first = _pay(api, event["id"], patron["patron_id"], key="phone-1-abc")
    again = _pay(api, event["id"], patron["patron_id"], key="phone-1-abc")
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["payment"] == first.json()["payment"]
    status = api.get(f"/api/events/{event['id']}/{patron['patron_id']}/payment").json()
    assert len(status["payments"]) == 1


def test_idempotency_key_reused_for_other_payment_is_conflict(api) -> None:
    event = api.event()
    a, b = api.patron(event["id"], "A One"), api.patron(event["id"], "B Two")
    assert _pay(api, event["id"], a["patron_id"], key="k").status_code == 201
    r = _pay(api, event["id"], b["patron_id"], key="k")
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "conflict"
    assert r.json()["error"]["details"]["payment"]["amount_cents"] == 4500
    assert api.get(f"/api/events/{event['id']}/{b['patron_id']}/payment").json()["payments"] == []


def test_same_payment_within_60_seconds_is_refused(api, clock) -> None:
    event = api.event(price_cents=10000)
    patron = api.patron(event["id"])
    first = _pay(api, event["id"], patron["patron_id"], amount=2000)
    clock.advance(seconds=59)
    again = _pay(api, event["id"], patron["patron_id"], amount=2000)
    assert again.status_code == 409
    err = again.json()["error"]
    assert err["message"] == "This payment was already logged less than a minute ago."
    assert err["details"]["payment"]["id"] == first.json()["payment"]["id"]
    other_method = _pay(api, event["id"], patron["patron_id"], amount=2000, method="card")
    assert other_method.status_code == 201
    clock.advance(seconds=1)
    later = _pay(api, event["id"], patron["patron_id"], amount=2000)
    assert later.status_code == 201
    status = api.get(f"/api/events/{event['id']}/{patron['patron_id']}/payment").json()
    assert status["amount_paid_cents"] == 6000


def test_overpayment_and_paid_booking_are_refused(api) -> None:
    event = api.event()
    patron = api.patron(event["id"])
    r = _pay(api, event["id"], patron["patron_id"], amount=4501)
    assert r.status_code == 422
    assert r.json()["error"]["details"] == {"amount_cents": 4501, "balance_cents": 4500}
    assert _pay(api, event["id"], patron["patron_id"]).status_code == 201
    r = _pay(api, event["id"], patron["patron_id"], amount=100, method="card")
    assert r.status_code == 409
    assert r.json()["error"]["message"] == "This booking is already paid in full."


def test_comp_clears_with_zero_and_zero_is_only_for_comp(api) -> None:
    event = api.event()
    patron = api.patron(event["id"])
    r = _pay(api, event["id"], patron["patron_id"], amount=0, method="cash")
    assert r.status_code == 422
    assert r.json()["error"]["message"] == "Amount must be more than zero."
    r = _pay(
        api, event["id"], patron["patron_id"], amount=0, method="comp", role=Role.CAPTAIN,
        note="skipper's guest",
    )  # fmt: skip
    assert r.status_code == 201
    booking = r.json()["booking"]
    assert (booking["payment_cleared"], booking["amount_paid_cents"]) == (True, 0)
    assert booking["balance_cents"] == 0


def test_a_comp_needs_a_manager_and_a_reason_and_changes_nothing_otherwise(api) -> None:
    event = api.event()
    pid = api.patron(event["id"])["patron_id"]
    r = _pay(api, event["id"], pid, amount=0, method="comp", note="friend of the crew")
    assert r.status_code == 403
    assert r.json()["error"]["message"] == (
        "Only an admin or captain can comp a booking; ask one of them."
    )
    r = _pay(api, event["id"], pid, amount=0, method="comp", role=Role.ADMIN, note="  ")
    assert (r.status_code, r.json()["error"]["message"]) == (
        422,
        "A comp needs its reason in the note.",
    )
    status = api.get(f"/api/events/{event['id']}/{pid}/payment").json()
    assert (status["payments"], status["payment_cleared"]) == ([], False)


@pytest.mark.parametrize(
    ("change", "differs"),
    [
        ({"note": "other note"}, ["note"]),
        ({"reference": "T-2"}, ["reference"]),
        ({"currency": "EUR"}, ["currency"]),
        ({"amount_cents": 1000, "method": "card"}, ["amount_cents", "method"]),
    ],
)
def test_a_key_replays_only_the_identical_request(api, change, differs) -> None:
    event = api.event()
    pid = api.patron(event["id"])["patron_id"]
    first = {"amount_cents": 2000, "method": "cash", "reference": "T-1", "note": "n"}
    url = f"/api/events/{event['id']}/{pid}/payment"
    key = {"Idempotency-Key": "dock-key-1"}
    assert api.post(url, first, role=Role.CREW, headers=key).status_code == 201
    same = api.post(url, {**first, "currency": "USD"}, role=Role.CREW, headers=key)
    assert same.status_code == 200
    r = api.post(url, {**first, **change}, role=Role.CREW, headers=key)
    assert r.status_code == 409
    assert r.json()["error"]["details"]["differs"] == differs
    assert len(api.get(url).json()["payments"]) == 1


def test_void_reopens_balance_and_keeps_the_record(api, clock) -> None:
    event = api.event()
    patron = api.patron(event["id"])
    payment = _pay(api, event["id"], patron["patron_id"]).json()["payment"]
    r = api.post(f"/api/payments/{payment['id']}/void", {"reason": "wrong patron"}, role=Role.CREW)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"
    r = api.post(f"/api/payments/{payment['id']}/void", {"reason": "  "}, role=Role.CAPTAIN)
    assert r.status_code == 422
    clock.advance(minutes=2)
    r = api.post(
        f"/api/payments/{payment['id']}/void", {"reason": "wrong patron"}, role=Role.CAPTAIN
    )
    assert r.status_code == 200
    assert r.json()["payment"]["voided"] is True
    assert r.json()["payment"]["void_reason"] == "wrong patron"
    assert r.json()["payment"]["voided_at"] == "2026-07-01T12:02:00Z"
    assert r.json()["booking"]["payment_cleared"] is False
    assert r.json()["booking"]["cleared_at"] is None
    assert r.json()["booking"]["balance_cents"] == 4500
    again = api.post(f"/api/payments/{payment['id']}/void", {"reason": "twice"})
    assert again.status_code == 409
    status = api.get(f"/api/events/{event['id']}/{patron['patron_id']}/payment").json()
    assert [p["voided"] for p in status["payments"]] == [True]
    assert status["amount_paid_cents"] == 0
    # The money can be logged again, even within the minute of the voided one.
    assert _pay(api, event["id"], patron["patron_id"]).status_code == 201


def test_batch_logs_each_patron_attributed_and_replays(api) -> None:
    event = api.event()
    patrons = [api.patron(event["id"], f"P{i} Smith", party_size=i) for i in (1, 2, 3)]
    items = [{"patron_id": p["patron_id"], "method": "cash"} for p in patrons]
    r = api.post(
        f"/api/events/{event['id']}/payments/batch",
        {"payments": items},
        role=Role.CREW,
        headers={"Idempotency-Key": "batch-1"},
    )
    assert r.status_code == 201
    logged = r.json()["payments"]
    assert [x["payment"]["amount_cents"] for x in logged] == [4500, 9000, 13500]
    assert all(x["booking"]["payment_cleared"] for x in logged)
    assert {x["payment"]["logged_by"] for x in logged} == {"Crew Person"}
    assert sorted(x["payment"]["receipt_no"] for x in logged) == [1, 2, 3]
    again = api.post(
        f"/api/events/{event['id']}/payments/batch",
        {"payments": items},
        role=Role.CREW,
        headers={"Idempotency-Key": "batch-1"},
    )
    assert again.status_code == 200
    assert [x["payment"]["id"] for x in again.json()["payments"]] == [
        x["payment"]["id"] for x in logged
    ]
    audit = api.get(f"/api/audit?event_id={event['id']}").json()["entries"]
    assert sum(e["action"] == "payment.logged" for e in audit) == 3


def test_batch_is_all_or_nothing(api) -> None:
    event = api.event()
    a, b = api.patron(event["id"], "A One"), api.patron(event["id"], "B Two")
    items = [
        {"patron_id": a["patron_id"], "method": "cash"},
        {"patron_id": b["patron_id"], "method": "cash", "amount_cents": 999999},
    ]
    r = api.post(f"/api/events/{event['id']}/payments/batch", {"payments": items})
    assert r.status_code == 422
    assert r.json()["error"]["details"]["patron_id"] == b["patron_id"]
    assert api.get(f"/api/events/{event['id']}/{a['patron_id']}/payment").json()["payments"] == []
    dup = [{"patron_id": a["patron_id"], "method": "cash"}] * 2
    r = api.post(f"/api/events/{event['id']}/payments/batch", {"payments": dup})
    assert r.status_code == 422
    unknown = [{"patron_id": "pat_nope", "method": "cash"}]
    r = api.post(f"/api/events/{event['id']}/payments/batch", {"payments": unknown})
    assert r.status_code == 404


def test_concurrent_same_key_makes_one_payment(api) -> None:
    event = api.event()
    patron = api.patron(event["id"])

    def go(_i: int) -> int:
        return _pay(api, event["id"], patron["patron_id"], key="same-moment").status_code

    with ThreadPoolExecutor(6) as pool:
        codes = sorted(pool.map(go, range(6)))
    assert codes == [200, 200, 200, 200, 200, 201]
    status = api.get(f"/api/events/{event['id']}/{patron['patron_id']}/payment").json()
    assert len(status["payments"]) == 1


def test_cancelled_event_and_booking_refuse_payments(api) -> None:
    event = api.event()
    a, b = api.patron(event["id"], "A One"), api.patron(event["id"], "B Two")
    r = api.post(f"/api/events/{event['id']}/{a['patron_id']}/cancel", {"reason": "sick"})
    assert r.status_code == 200
    assert r.json()["status"] == "cancelled"
    r = _pay(api, event["id"], a["patron_id"])
    assert r.status_code == 409
    assert r.json()["error"]["message"] == "This booking is cancelled."
    assert api.patch(f"/api/events/{event['id']}", {"status": "cancelled"}).status_code == 200
    r = _pay(api, event["id"], b["patron_id"])
    assert r.status_code == 409
    assert r.json()["error"]["message"] == "This event is cancelled."
