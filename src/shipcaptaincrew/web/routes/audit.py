"""The audit trail, filtered by event or patron."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ...services import audit
from ..deferred_route import DeferredRoute
from ..deps import Crew, Ctx
from ..schemas import AuditListOut, AuditOut
from .common import ERRORS

router = APIRouter(route_class=DeferredRoute, prefix="/audit", tags=["audit"], responses=ERRORS)


@router.get("", response_model=AuditListOut)
def list_audit(
    ctx: Ctx,
    crew: Crew,
    event_id: Annotated[str | None, Query(max_length=64)] = None,
    patron_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> AuditListOut:
    entries = audit.list_entries(ctx, by=crew, event_id=event_id, patron_id=patron_id, limit=limit)
    return AuditListOut(entries=[AuditOut(**e.__dict__) for e in entries])
