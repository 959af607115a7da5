"""The crew's cash-up of an event: rows, counts, the close, CSV and PDF."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ...services import cashup
from ..deferred_route import DeferredRoute
from ..deps import Crew, Ctx
from ..schemas_money import CashCloseOut, CashRowOut, CashupOut, CountIn
from .common import ERRORS

router = APIRouter(route_class=DeferredRoute, tags=["cash-up"], responses=ERRORS)


def _out(view: cashup.CashUp) -> CashupOut:
    close = view.close
    return CashupOut(
        event_id=view.event.id,
        currency=view.event.currency,
        closed=CashCloseOut(
            closed_by=close.closed_by,
            closed_by_name=close.closed_by_name,
            closed_at=close.closed_at,
        )
        if close
        else None,
        rows=[
            CashRowOut(
                crew_id=r.crew_id,
                crew_name=r.crew_name,
                method=r.method.value,
                expected_cents=r.expected_cents,
                counted_cents=r.counted_cents,
                difference_cents=r.difference_cents,
                note=r.note,
                counted_at=r.counted_at,
                after_close=r.after_close,
                closed_count_cents=r.closed_count_cents,
            )
            for r in view.rows
        ],
    )


@router.get("/events/{event_id}/cashup", response_model=CashupOut)
def get_cashup(event_id: str, ctx: Ctx, crew: Crew) -> CashupOut:
    return _out(cashup.cashup(ctx, by=crew, event_id=event_id))


@router.post("/events/{event_id}/cashup/counts", response_model=CashupOut, status_code=201)
def count(event_id: str, body: CountIn, ctx: Ctx, crew: Crew) -> CashupOut:
    view = cashup.record_count(
        ctx,
        by=crew,
        event_id=event_id,
        crew_id=body.crew_id or crew.id,
        method=body.method,
        counted_cents=body.counted_cents,
        note=body.note,
    )
    return _out(view)


@router.post("/events/{event_id}/cashup/close", response_model=CashupOut)
def close(event_id: str, ctx: Ctx, crew: Crew) -> CashupOut:
    return _out(cashup.close_cashup(ctx, by=crew, event_id=event_id))


@router.get(
    "/events/{event_id}/cashup.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The cash-up as CSV"}},
)
def cashup_csv(event_id: str, ctx: Ctx, crew: Crew) -> Response:
    return Response(
        cashup.cashup_csv(ctx, by=crew, event_id=event_id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="cashup.csv"'},
    )


@router.get(
    "/events/{event_id}/cashup.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The cash-up as PDF"}},
)
def cashup_pdf(event_id: str, ctx: Ctx, crew: Crew) -> Response:
    return Response(
        cashup.cashup_pdf(ctx, by=crew, event_id=event_id),
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="cashup.pdf"'},
    )
