"""Reconciliation on a fixture with planted mismatches: each is found, nothing else."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import timedelta

from shipcaptaincrew.domain.models import STRIPE, PaymentMethod, Role
from shipcaptaincrew.domain.online import PARKED, UNMATCHED, ProviderTransaction
from shipcaptaincrew.services import payments, refunds
from shipcaptaincrew.services.payments import PaymentRequest
from tests import factories as f
from tests.web.conftest import Api


def _txn(ctx, ref: str, status: str, event_id: str | None, amount: int) -> ProviderTransaction:
    txn = ProviderTransaction(
        id=f"stripe:{ref}",
        provider="stripe",
        kind="payment" if status == UNMATCHED else "refund",
        reference=ref,
        parent_reference=ref if status == UNMATCHED else "pi_gone",
        amount_cents=amount,
        currency="USD",
        status=status,
        reason="planted",
        received_at=ctx.now(),
        provider_event="evt_x",
        event_id=event_id,
        patron_id=None,
    )
    ctx.store.add_provider_transaction(txn, f.audit_entry("provider.kept"))
    return txn


def _planted(api: Api) -> dict[str, str]:
    api.tokens.everyone()
    ctx = api.ctx
    event = api.event()
    eid = event["id"]
    ids = {n: api.patron(eid, n)["patron_id"] for n in ("Ann", "Ben", "Cy", "Dee", "Eve")}
    captain = ctx.store.get_crew_by_email("captain@example.org")
    deck = ctx.store.get_crew_by_email("crew@example.org")
    assert captain and deck

    def pay(name: str, cents: int, method: PaymentMethod, **kw: str):
        req = PaymentRequest(ids[name], cents, method, reference=kw.pop("reference", ""))
        return payments.log_payment(ctx, by=kw.pop("by", deck), event_id=eid, req=req, **kw)

    cash = pay("Ann", 4500, PaymentMethod.CASH)
    refunds.refund_payment(
        ctx, by=captain, payment_id=cash.payment.id, amount_cents=1000, reason="late"
    )
    pay("Ben", 2000, PaymentMethod.CARD)
    wrong = pay("Ben", 500, PaymentMethod.CHECK)
    payments.void_payment(ctx, by=captain, payment_id=wrong.payment.id, reason="typo")
    pay(
        "Cy", 4500, PaymentMethod.STRIPE, by=STRIPE, reference="pi_1", idempotency_key="stripe:pi_1"
    )
    # planted: Dee's booking says 3000 paid with nothing on her ledger
    dee = ctx.store.get_booking(eid, ids["Dee"])
    assert dee is not None
    ctx.store.update_booking(
        dataclasses.replace(dee, amount_paid_cents=3000), dee.version, f.audit_entry("planted")
    )
    _txn(ctx, "=HYPERLINK(pi_9)", UNMATCHED, eid, 7000)  # planted: money on no booking
    _txn(ctx, "re_lost", PARKED, None, 800)  # planted: a refund whose payment never came
    return {"event_id": eid, **ids}


def test_reconciliation_finds_each_planted_mismatch_and_nothing_else(api: Api) -> None:
    p = _planted(api)
    eid = p["event_id"]
    assert api.get(f"/api/reconciliation?event_id={eid}", role=Role.CREW).status_code == 403
    r = api.get(f"/api/reconciliation?event_id={eid}", role=Role.CAPTAIN)
    assert r.status_code == 200, r.text
    body = r.json()
    [m] = body["events"]
    assert (m["money_in"], m["refunds"]) == (
        {"card": 2000, "cash": 4500, "stripe": 4500},
        {"cash": 1000},
    )
    assert (m["voided_cents"], m["net_cents"]) == (500, 10000)
    assert [(x["reference"], x["patron_id"]) for x in m["provider_matched"]] == [("pi_1", p["Cy"])]
    assert [(x["reference"], x["status"], x["amount_cents"]) for x in m["provider_unmatched"]] == [
        ("=HYPERLINK(pi_9)", "unmatched", 7000)
    ]
    assert m["mismatches"] == [
        {"patron_id": p["Dee"], "name": "Dee", "booking_paid_cents": 3000, "ledger_paid_cents": 0}
    ]
    assert body["unmatched"] == []  # only with a date range: money on no event

    now = api.ctx.now()
    since = (now - timedelta(days=400)).isoformat()
    until = (now + timedelta(days=400)).isoformat()
    ranged = api.get("/api/reconciliation", params={"since": since, "until": until})
    assert ranged.status_code == 200, ranged.text
    assert [e["event_id"] for e in ranged.json()["events"]] == [eid]
    assert [(t["reference"], t["status"]) for t in ranged.json()["unmatched"]] == [
        ("re_lost", "parked")
    ]
    missing = api.get("/api/reconciliation")
    assert (missing.status_code, missing.json()["error"]["code"]) == (422, "invalid")

    sheet = api.get(f"/api/reconciliation.csv?event_id={eid}")
    assert sheet.status_code == 200
    assert sheet.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(sheet.text)))
    assert rows[0] == [
        "event_id",
        "event_title",
        "kind",
        "what",
        "patron_id",
        "amount_cents",
        "currency",
    ]
    kinds = [(r[2], r[3], r[5]) for r in rows[1:]]
    assert kinds == [
        ("money_in", "card", "2000"),
        ("money_in", "cash", "4500"),
        ("money_in", "stripe", "4500"),
        ("refund", "cash", "1000"),
        ("provider_matched", "pi_1", "4500"),
        ("provider_unmatched", "'=HYPERLINK(pi_9)", "7000"),
        ("booking_mismatch", "booking says 3000, ledger 0", "3000"),
    ]


def test_a_date_range_needs_offsets_and_an_order(api: Api) -> None:
    for query, status, message in [
        ("since=2026-07-01T00:00:00&until=2026-08-01T00:00:00Z", 422, "since needs a time zone"),
        ("since=2026-08-01T00:00:00Z&until=2026-07-01T00:00:00Z", 422, "Give an event_id, or"),
        ("event_id=evt_nope", 404, "No such event"),
    ]:
        r = api.get(f"/api/reconciliation?{query}")
        assert r.status_code == status, (query, r.text)
        assert r.json()["error"]["message"].startswith(message), r.text
