"""Reconciliation for admins and captains: JSON for the console page, CSV for the books."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from ...domain.online import ProviderTransaction
from ...services import reconciliation
from ..deferred_route import DeferredRoute
from ..deps import Crew, Ctx
from ..schemas_money import EventMoneyOut, MismatchOut, ProviderTxnOut, ReconciliationOut
from .common import ERRORS, payment_out

router = APIRouter(route_class=DeferredRoute, tags=["reconciliation"], responses=ERRORS)

EventId = Annotated[str | None, Query(min_length=1, max_length=64)]
When = Annotated[datetime | None, Query(description="ISO 8601 with an offset")]


def _txn(t: ProviderTransaction) -> ProviderTxnOut:
    return ProviderTxnOut(**dataclasses.asdict(t))


@router.get("/reconciliation", response_model=ReconciliationOut)
def reconcile(
    ctx: Ctx, crew: Crew, event_id: EventId = None, since: When = None, until: When = None
) -> ReconciliationOut:
    result = reconciliation.reconcile(ctx, by=crew, event_id=event_id, since=since, until=until)
    return ReconciliationOut(
        events=[
            EventMoneyOut(
                event_id=m.event_id,
                title=m.title,
                currency=m.currency,
                money_in=m.money_in,
                refunds=m.refunds,
                voided_cents=m.voided_cents,
                net_cents=m.net_cents,
                provider_matched=[payment_out(p) for p in m.provider_matched],
                provider_unmatched=[_txn(t) for t in m.provider_kept],
                mismatches=[
                    MismatchOut(
                        patron_id=b.patron_id,
                        name=b.patron_name,
                        booking_paid_cents=b.booking_paid_cents,
                        ledger_paid_cents=b.ledger_paid_cents,
                    )
                    for b in m.mismatches
                ],
            )
            for m in result.events
        ],
        unmatched=[_txn(t) for t in result.unmatched],
    )


@router.get(
    "/reconciliation.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The reconciliation as CSV"}},
)
def reconcile_csv(
    ctx: Ctx, crew: Crew, event_id: EventId = None, since: When = None, until: When = None
) -> Response:
    result = reconciliation.reconcile(ctx, by=crew, event_id=event_id, since=since, until=until)
    return Response(
        reconciliation.reconciliation_csv(result),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="reconciliation.csv"'},
    )
