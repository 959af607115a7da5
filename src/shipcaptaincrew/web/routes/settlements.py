"""The weather call: cancel or shift a departure, rebook a party, the plans and credit."""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter, Response

from ...domain.settlements import Plan
from ...services import credits, departures, settlement_report, settlements
from ...services.departures import Option
from ...services.settlements import PartyChoice
from ..deferred_route import DeferredRoute
from ..deps import Crew, Ctx
from ..schemas_settlements import (
    CancelIn,
    CreditBalanceOut,
    CreditEntryOut,
    CreditIn,
    CreditOut,
    OptionOut,
    OptionsOut,
    PlanOut,
    PlansOut,
    ProposalOut,
    ProposalsOut,
    RebookIn,
    RunIn,
    ShiftIn,
    StepOut,
)
from .common import ERRORS

router = APIRouter(route_class=DeferredRoute, tags=["weather call"], responses=ERRORS)


def plan_out(plan: Plan) -> PlanOut:
    fields = {f.name: getattr(plan, f.name) for f in dataclasses.fields(plan)}
    fields["steps"] = [StepOut(**dataclasses.asdict(s)) for s in plan.steps]
    return PlanOut(**{k: v for k, v in fields.items() if k in PlanOut.model_fields})


def _option(o: Option) -> OptionOut:
    return OptionOut(
        event_id=o.event.id, title=o.event.title, starts_at=o.event.starts_at, room=o.room
    )


@router.get("/events/{event_id}/settlement-proposal", response_model=ProposalsOut)
def proposal(event_id: str, ctx: Ctx, crew: Crew) -> ProposalsOut:
    parties = settlements.propose(ctx, by=crew, event_id=event_id)
    return ProposalsOut(
        event_id=event_id,
        parties=[
            ProposalOut(
                patron_id=p.patron_id,
                name=p.name,
                party_size=p.party_size,
                status=p.status,
                paid_cents=p.paid_cents,
                currency=p.currency,
                action=p.action,  # type: ignore[arg-type]
                move_to=p.move_to,
                options=[_option(o) for o in p.options],
            )
            for p in parties
        ],
    )


@router.post("/events/{event_id}/cancellation", response_model=PlanOut, status_code=201)
def cancel(event_id: str, body: CancelIn, ctx: Ctx, crew: Crew) -> PlanOut:
    plan = settlements.cancel_departure(
        ctx,
        by=crew,
        event_id=event_id,
        reason=body.reason,
        message=body.message,
        parties=[PartyChoice(p.patron_id, p.action, p.move_to, p.reprice) for p in body.parties],
        default_action=body.default_action,
        credit_valid_days=body.credit_valid_days,
        allow_refund_request=body.allow_refund_request,
    )
    return plan_out(plan)


@router.post("/events/{event_id}/shift", response_model=PlanOut, status_code=201)
def shift(event_id: str, body: ShiftIn, ctx: Ctx, crew: Crew) -> PlanOut:
    plan = settlements.shift_departure(
        ctx,
        by=crew,
        event_id=event_id,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        reason=body.reason,
        message=body.message,
    )
    return plan_out(plan)


@router.post("/events/{event_id}/{patron_id}/rebook", response_model=PlanOut, status_code=201)
def rebook(event_id: str, patron_id: str, body: RebookIn, ctx: Ctx, crew: Crew) -> PlanOut:
    plan = settlements.rebook_party(
        ctx,
        by=crew,
        event_id=event_id,
        patron_id=patron_id,
        move_to=body.move_to,
        reprice=body.reprice,
        reason=body.reason,
        message=body.message,
    )
    return plan_out(plan)


@router.get("/events/{event_id}/{patron_id}/rebook-options", response_model=OptionsOut)
def rebook_choices(event_id: str, patron_id: str, ctx: Ctx, crew: Crew) -> OptionsOut:
    found = departures.rebook_options(ctx, by=crew, event_id=event_id, patron_id=patron_id)
    return OptionsOut(options=[_option(o) for o in found])


@router.get("/events/{event_id}/settlements", response_model=PlansOut)
def plans(event_id: str, ctx: Ctx, crew: Crew) -> PlansOut:
    found = settlements.list_plans(ctx, by=crew, event_id=event_id)
    return PlansOut(plans=[plan_out(p) for p in found])


@router.get("/events/{event_id}/settlements/{plan_id}", response_model=PlanOut)
def plan(event_id: str, plan_id: str, ctx: Ctx, crew: Crew) -> PlanOut:
    return plan_out(settlements.get_plan(ctx, by=crew, event_id=event_id, plan_id=plan_id))


@router.post("/events/{event_id}/settlements/{plan_id}/run", response_model=PlanOut)
def run(event_id: str, plan_id: str, body: RunIn, ctx: Ctx, crew: Crew) -> PlanOut:
    done = settlements.run(
        ctx, by=crew, event_id=event_id, plan_id=plan_id, retry_failed=body.retry_failed
    )
    return plan_out(done)


@router.get("/patrons/{patron_id}/credit", response_model=CreditOut)
def credit(patron_id: str, ctx: Ctx, crew: Crew) -> CreditOut:
    return _credit_out(patron_id, credits.credit_view(ctx, patron_id=patron_id))


@router.post("/patrons/{patron_id}/credit", response_model=CreditOut, status_code=201)
def issue_credit(patron_id: str, body: CreditIn, ctx: Ctx, crew: Crew) -> CreditOut:
    view = credits.issue_credit(
        ctx,
        by=crew,
        patron_id=patron_id,
        amount_cents=body.amount_cents,
        currency=body.currency,
        reason=body.reason,
        valid_days=body.valid_days,
    )
    return _credit_out(patron_id, view)


def _credit_out(patron_id: str, view: credits.CreditView) -> CreditOut:
    return CreditOut(
        patron_id=patron_id,
        balances=[CreditBalanceOut(currency=c, cents=v) for c, v in view.balances.items()],
        entries=[
            CreditEntryOut(
                id=e.id,
                kind=e.kind,  # type: ignore[arg-type]
                amount_cents=e.amount_cents,
                currency=e.currency,
                at=e.at,
                expires_at=e.expires_at,
                event_id=e.event_id,
                note=e.note,
            )
            for e in view.entries
        ],
    )


@router.get(
    "/events/{event_id}/settlements/{plan_id}/report.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The report as CSV"}},
)
def report_csv(event_id: str, plan_id: str, ctx: Ctx, crew: Crew) -> Response:
    return Response(
        settlement_report.report_csv(ctx, by=crew, event_id=event_id, plan_id=plan_id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="settlement.csv"'},
    )


@router.get(
    "/events/{event_id}/settlements/{plan_id}/report.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The report as PDF"}},
)
def report_pdf(event_id: str, plan_id: str, ctx: Ctx, crew: Crew) -> Response:
    return Response(
        settlement_report.report_pdf(ctx, by=crew, event_id=event_id, plan_id=plan_id),
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="settlement.pdf"'},
    )
