"""Receipt PDFs for crew."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ...services import receipts
from ..deferred_route import DeferredRoute
from ..deps import Crew, Ctx
from .common import ERRORS

router = APIRouter(route_class=DeferredRoute, tags=["payments"], responses=ERRORS)


@router.get(
    "/payments/{payment_id}/receipt.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The receipt PDF"}},
)
def receipt_pdf(payment_id: str, ctx: Ctx, crew: Crew) -> Response:
    pdf = receipts.receipt_pdf(ctx, payment_id=payment_id)
    name = receipts.receipt_filename(payment_id, None)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
