"""The outbox for admins: what was emailed, what waits, what failed and why."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from ...domain import outbox as ob
from ...domain.models import OutboxMessage
from ...services import outbox
from ..deferred_route import DeferredRoute
from ..deps import Crew, Ctx
from ..schemas import OutboxListOut, OutboxOut
from .common import ERRORS

router = APIRouter(route_class=DeferredRoute, prefix="/outbox", tags=["outbox"], responses=ERRORS)


def outbox_out(m: OutboxMessage) -> OutboxOut:
    payment_id = m.payload.get("payment_id")
    return OutboxOut(
        id=m.id,
        kind=m.kind,
        to=m.to,
        status=ob.crew_status(m.status),  # type: ignore[arg-type]
        attempts=m.attempts,
        last_error=m.last_error,
        created_at=m.created_at,
        next_attempt_at=m.next_attempt_at,
        sent_at=m.sent_at,
        event_id=m.event_id,
        patron_id=m.patron_id,
        payment_id=str(payment_id) if payment_id else None,
    )


@router.get("", response_model=OutboxListOut)
def list_outbox(
    ctx: Ctx,
    crew: Crew,
    status: Annotated[Literal["queued", "sent", "failed"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> OutboxListOut:
    messages = outbox.list_messages(ctx, by=crew, status=status, limit=limit)
    return OutboxListOut(messages=[outbox_out(m) for m in messages])


@router.post("/{message_id}/retry", response_model=OutboxOut)
def retry(message_id: str, ctx: Ctx, crew: Crew) -> OutboxOut:
    return outbox_out(outbox.retry(ctx, by=crew, message_id=message_id))
