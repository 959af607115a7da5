"""The weather call on every store: a departure of twelve parties (card-paid through the
provider stand-in, cash-paid, unpaid, waitlisted, a minor's waiver) cancelled with a mixed
plan; a run that dies halfway finished by the outbox sweep with nothing done twice; the
credit spent on a later booking."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from shipcaptaincrew.domain import credits as ledger
from shipcaptaincrew.domain import outbox as ob
from shipcaptaincrew.domain import settlements as rules
from shipcaptaincrew.domain.errors import Conflict
from shipcaptaincrew.domain.models import BookingStatus, PaymentMethod, Role
from shipcaptaincrew.notify.base import Sender
from shipcaptaincrew.providers.stripe_api import StripeProvider
from shipcaptaincrew.services import (
    outbox,
    payments,
    settlement_report,
    settlements,
    waiver_templates,
    waivers,
)
from shipcaptaincrew.services.context import Context
from shipcaptaincrew.services.payments import PaymentRequest
from shipcaptaincrew.services.settlements import PartyChoice
from tests import factories as f
from tests import waiver_factories as w
from tests.provider_server import ProviderServer, Seen


@pytest.fixture(scope="module")
def stripe_api() -> Iterator[ProviderServer]:
    server = ProviderServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgres", "dynamodb"])
def sctx(request: pytest.FixtureRequest, stripe_api: ProviderServer) -> Context:
    if request.param == "sqlite":
        ctx = request.getfixturevalue("ctx")
    elif request.param == "postgres":
        store = request.getfixturevalue("pg_store")
        base = request.getfixturevalue("ctx")
        ctx = Context(store=store, settings=base.settings, clock=base.clock)
    else:
        ctx = request.getfixturevalue("dynamo_ctx")
    stripe_api.reset()
    ctx.providers = {
        "stripe": StripeProvider(
            secret_key="sk_test_x", webhook_secret="whsec_x", api_url=stripe_api.url
        )
    }
    return ctx


class Outbox(Sender):
    """A sender that keeps what it is given (the emails are built for real)."""

    name = "kept"

    def __init__(self) -> None:
        self.sent: list[Any] = []

    def send(self, message: Any) -> None:
        self.sent.append(message)

    def close(self) -> None:
        pass


def _refunds(stripe_api: ProviderServer, fail_on: int = 0):
    """Stripe's refunds: each asked once answers a new refund id; the ``fail_on``-th request
    (counting from 1) is refused once, as a provider that is down would."""
    calls = {"n": 0}

    def answer(seen: Seen) -> tuple[int, Any]:
        calls["n"] += 1
        if calls["n"] == fail_on:
            return 400, {"error": {"type": "api_error", "message": "try later"}}
        return 200, {"id": f"re_{calls['n']}", "object": "refund", "status": "pending"}

    stripe_api.answer = answer


def _departure(ctx: Context):
    admin = f.crew_fast(ctx, Role.ADMIN, "admin@example.org")
    deck = f.crew_fast(ctx, Role.CREW, "deck@example.org")
    template = waiver_templates.create_template(ctx, by=admin, name="Boat", text="At own risk.")
    a = f.event(ctx, admin, title="Whale watch", capacity=14, waiver_template_id=template.id)
    b = f.event(
        ctx,
        admin,
        title="Whale watch (Sat)",
        capacity=20,
        price_cents=6000,
        waiver_template_id=template.id,
    )
    c = f.event(ctx, admin, title="Harbour tour", capacity=1)
    sizes = [2, 1, 2, 1, 1, 1, 2, 1, 1, 2, 1, 1]
    parties = [
        f.booking(ctx, admin, a.id, name=f"Party {i + 1:02d}", party_size=n)
        for i, n in enumerate(sizes)
    ]
    paid = {
        0: "cash",
        1: "stripe",
        2: "stripe",
        3: "stripe",
        4: "cash",
        6: "cash",
        7: "stripe",
        9: "cash",
    }
    for i, method in paid.items():
        p = parties[i]
        req = PaymentRequest(
            p.patron_id,
            p.amount_due_cents,
            PaymentMethod(method),
            reference=f"pi_{i}" if method == "stripe" else "",
        )
        payments.log_payment(ctx, by=deck, event_id=a.id, req=req)
    minor = parties[9]
    for kw in ({}, {"minor": True, "guardian_name": "Sam Doe", "guardian_relationship": "Parent"}):
        booking = ctx.store.get_booking(a.id, minor.patron_id)
        req = waivers.SignRequest(template.id, 1, template.sha256, "Kim Doe", w.png(), **kw)
        waivers.sign_waiver(ctx, booking=booking, req=req, ip="203.0.113.9", user_agent="T/1")
    plan = [
        PartyChoice(parties[0].patron_id, rules.REFUND),
        PartyChoice(parties[1].patron_id, rules.REFUND),
        PartyChoice(parties[2].patron_id, rules.REFUND),
        PartyChoice(parties[3].patron_id, rules.CREDIT),
        PartyChoice(parties[4].patron_id, rules.CREDIT),
        PartyChoice(parties[5].patron_id, rules.CREDIT),
        PartyChoice(parties[6].patron_id, rules.MOVE, b.id),
        PartyChoice(parties[7].patron_id, rules.MOVE, b.id, reprice=True),
        PartyChoice(parties[8].patron_id, rules.MOVE, b.id),
        PartyChoice(parties[9].patron_id, rules.MOVE, b.id),
        PartyChoice(parties[10].patron_id, rules.REFUND),
        PartyChoice(parties[11].patron_id, rules.MOVE, c.id),
    ]
    return admin, (a, b, c), parties, plan


def _check_settled(ctx: Context, events, parties, stripe_api: ProviderServer) -> None:
    a, b, c = events
    now = ctx.now()
    ids = [p.patron_id for p in parties]
    state = {pid: ctx.store.get_booking(a.id, pid) for pid in ids}
    assert {s.status for s in state.values()} == {BookingStatus.CANCELLED}
    assert ctx.store.get_event(a.id).status.value == "cancelled"
    # Refunds: cash recorded as handed back; Stripe asked once per payment, never for credit.
    assert state[ids[0]].amount_paid_cents == 0
    [cash_refund] = [p for p in ctx.store.list_payments(a.id, ids[0]) if p.is_refund]
    assert (cash_refund.amount_cents, cash_refund.method) == (-9000, PaymentMethod.CASH)
    asked = [s.form()["payment_intent"] for s in stripe_api.seen if s.path == "/v1/refunds"]
    assert sorted(asked) == ["pi_1", "pi_2"]
    # Credits: what was paid, on the patron's ledger.
    credit = {pid: ledger.balance(ctx.store.list_credits(pid), "USD", now) for pid in ids}
    assert [credit[i] for i in ids[3:6]] == [4500, 4500, 0]
    # Moves: places kept, money carried as credit, repriced where asked, waivers carried.
    moved = {pid: ctx.store.get_booking(b.id, pid) for pid in ids[6:10]}
    assert [
        (m.status, m.party_size, m.amount_due_cents, m.amount_paid_cents) for m in moved.values()
    ] == [
        (BookingStatus.BOOKED, 2, 9000, 9000),
        (BookingStatus.BOOKED, 1, 6000, 4500),
        (BookingStatus.BOOKED, 1, 4500, 0),
        (BookingStatus.BOOKED, 2, 9000, 9000),
    ]
    minor = moved[ids[9]]
    assert minor.waiver_signed and [s.minor for s in minor.seats] == [False, True]
    assert [credit[i] for i in ids[6:10]] == [0, 0, 0, 0]
    assert ctx.store.get_booking(c.id, ids[11]).status == BookingStatus.BOOKED
    # One email each, and no other email from the plan.
    mails = [m for m in ctx.store.list_outbox(limit=500) if m.kind == ob.SETTLED]
    assert sorted(Counter(m.patron_id for m in mails).items()) == sorted((i, 1) for i in ids)
    others = {m.kind for m in ctx.store.list_outbox(limit=500)} - {
        ob.SETTLED,
        ob.SETTLEMENT_RUN,
        ob.RECEIPT,
    }
    assert others == set()
    receipts = [m for m in ctx.store.list_outbox(limit=500) if m.kind == ob.RECEIPT]
    assert len(receipts) == 8  # the payments logged before, none from the plan
    # Audited per party.
    actions = Counter(e.action for e in ctx.store.list_audit(event_id=a.id, limit=500))
    assert (
        actions["settlement.refund"],
        actions["settlement.credit"],
        actions["settlement.move"],
    ) == (4, 3, 5)


def test_a_mixed_plan_settles_every_party_once(sctx: Context, stripe_api: ProviderServer) -> None:
    admin, events, parties, choices = _departure(sctx)
    _refunds(stripe_api)
    plan = settlements.cancel_departure(
        sctx,
        by=admin,
        event_id=events[0].id,
        reason="Gale warning",
        message="Sorry!",
        parties=choices,
    )
    assert [s.state for s in plan.steps] == [rules.DONE] * 12
    assert plan.finished_at == sctx.now()
    _check_settled(sctx, events, parties, stripe_api)
    again = settlements.run(sctx, by=admin, event_id=events[0].id, plan_id=plan.id)
    assert again == plan
    mails = {m.patron_id: m for m in sctx.store.list_outbox(limit=500) if m.kind == ob.SETTLED}
    texts = {
        i: outbox.build_email(sctx, mails[parties[i].patron_id]).get_body().get_content()
        for i in (1, 3, 7)
    }
    assert "$45.00 is being refunded to the card" in texts[1]
    assert "What you paid, $45.00, is now credit" in texts[3]
    assert "You can ask for a refund instead" in texts[3]
    assert "now has its places on Whale watch (Sat)" in texts[7]
    assert "What you paid ($45.00) pays for the new booking; $60.00 is due in all." in texts[7]
    _report(sctx, admin, events[0].id, plan.id)
    _credit_pays_a_later_booking(sctx, admin, parties[4])


def _report(sctx: Context, admin, event_id: str, plan_id: str) -> None:
    view = settlement_report.settlement_report(sctx, by=admin, event_id=event_id, plan_id=plan_id)
    t = view.totals
    assert (t.moved, t.credited, t.refunded) == (5, 3, 4)
    assert (t.credited_cents, t.refunded_cents, t.requested_cents) == (9000, 9000, 13500)
    assert t.emails_sent == 0  # queued, not delivered in this test
    rows = {r.patron_name: r for r in view.rows}
    assert rows["Party 02"].open_items == (
        "refund of $45.00 not confirmed by the provider",
        "email queued",
    )
    assert rows["Party 07"].open_items == ("email queued", "patron has not confirmed the move")
    text = settlement_report.report_csv(sctx, by=admin, event_id=event_id, plan_id=plan_id)
    lines = text.splitlines()
    assert lines[0].startswith("patron_id,patron_name,party_size,was,action,state,moved_to")
    assert len(lines) == 13
    pdf = settlement_report.report_pdf(sctx, by=admin, event_id=event_id, plan_id=plan_id)
    assert pdf.startswith(b"%PDF")


def test_a_run_that_dies_halfway_is_finished_by_the_sweep(
    sctx: Context, stripe_api: ProviderServer, clock
) -> None:
    admin, events, parties, choices = _departure(sctx)
    _refunds(stripe_api, fail_on=2)  # the second refund is refused once

    class Died(Exception):
        pass

    steps = {"n": 0}

    def die_after_six(_messages: object) -> None:
        steps["n"] += 1
        if steps["n"] == 6:
            raise Died  # the process is gone after its sixth step's commit

    sctx.after_commit = die_after_six
    with pytest.raises(Died):
        settlements.cancel_departure(
            sctx, by=admin, event_id=events[0].id, reason="Gale", message="", parties=choices
        )
    [plan] = sctx.store.list_plans(events[0].id)
    assert [s.state for s in plan.steps].count(rules.DONE) == 6
    assert plan.step(parties[2].patron_id).error.startswith("Stripe refused the refund")
    sctx.after_commit = lambda _m: None
    clock.advance(minutes=3)  # the run's lease is over: the sweep takes the plan over
    [task] = [m for m in sctx.store.list_outbox() if m.kind == ob.SETTLEMENT_RUN]
    assert outbox.deliver_due(sctx, Outbox(), ids=[task.id]).sent == 1
    [plan] = sctx.store.list_plans(events[0].id)
    assert [s.state for s in plan.steps] == [rules.DONE] * 12
    _check_settled(sctx, events, parties, stripe_api_ok(stripe_api))


def stripe_api_ok(stripe_api: ProviderServer) -> ProviderServer:
    """The stand-in with the refused request left out (it refunded nothing)."""
    view = ProviderServer()
    view.seen = [s for i, s in enumerate(stripe_api.seen) if i != 1]
    return view


def _credit_pays_a_later_booking(sctx: Context, admin, holder) -> None:
    """The credit (4500) pays a later booking in full; then nothing is left to spend."""
    later = f.event(sctx, admin, title="Next week", price_cents=4500)
    booking = f.booking(sctx, admin, later.id, email=holder.patron_email)
    req = PaymentRequest(booking.patron_id, 4500, PaymentMethod.CREDIT)
    logged = payments.log_payment(sctx, by=admin, event_id=later.id, req=req)
    assert (logged.payment.method, logged.booking.payment_cleared) == (PaymentMethod.CREDIT, True)
    assert sctx.store.get_booking(later.id, booking.patron_id).payment_cleared
    entries = sctx.store.list_credits(holder.patron_id)
    assert [(e.kind, e.amount_cents) for e in entries] == [("issued", 4500), ("used", 4500)]
    assert entries[1].payment_id == logged.payment.id
    other = f.event(sctx, admin, title="Later still")
    again = f.booking(sctx, admin, other.id, email=holder.patron_email)
    with pytest.raises(Conflict, match="Only 0 cents of credit are left"):
        payments.log_payment(
            sctx,
            by=admin,
            event_id=other.id,
            req=PaymentRequest(again.patron_id, 100, PaymentMethod.CREDIT),
        )
    assert len(sctx.store.list_credits(holder.patron_id)) == 2
