"""``GET /api/ready``: 200 when the store answers a real query, 503 otherwise. Public, like
``/api/health`` (which only says the process is up), and says nothing about the setup."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ...services.health import store_answers
from ..deferred_route import DeferredRoute
from ..deps import Ctx
from ..errors import ErrorOut, error_response
from ..schemas import HealthOut

router = APIRouter(route_class=DeferredRoute, prefix="/api", tags=["health"])


@router.get(
    "/ready",
    response_model=HealthOut,
    responses={503: {"model": ErrorOut, "description": "The store does not answer."}},
)
def ready(ctx: Ctx) -> HealthOut | JSONResponse:
    if store_answers(ctx):
        return HealthOut(status="ok")
    return error_response(503, "not_ready", "The database does not answer.")
