"""Payments: production's routes, batch logging and voids."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from ...domain.models import Booking, CrewMember, Payment
from ...services import credits, payment_confirm, payments
from ...services.context import Context
from ...services.payments import PaymentRequest
from ..deferred_route import DeferredRoute
from ..deps import Crew, Ctx, signed_crew
from ..schemas import (
    BatchIn,
    BatchOut,
    BookingOut,
    PaymentIn,
    PaymentLoggedOut,
    PaymentOut,
    PaymentStatusOut,
    VoidIn,
)
from ..store_work import store_write
from .common import ERRORS, payment_out

router = APIRouter(route_class=DeferredRoute, tags=["payments"], responses=ERRORS)

IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)
]


def _logged(ctx: Context, result: payments.Logged) -> PaymentLoggedOut:
    return PaymentLoggedOut(
        payment=payment_out(result.payment),
        booking=BookingOut.of(result.booking, ctx.settings.public_url, result.receipt_email),
    )


@router.post("/events/{event_id}/payments/batch", response_model=BatchOut, status_code=201)
def log_batch(
    event_id: str,
    body: BatchIn,
    response: Response,
    ctx: Ctx,
    crew: Crew,
    idempotency_key: IdempotencyKey = None,
) -> BatchOut:
    reqs = [
        PaymentRequest(
            patron_id=i.patron_id,
            amount_cents=i.amount_cents,
            method=i.method,
            reference=i.reference,
            note=i.note,
            occurred_at=body.occurred_at,
        )
        for i in body.payments
    ]
    results = payments.log_batch(
        ctx, by=crew, event_id=event_id, requests=reqs, idempotency_key=idempotency_key
    )
    if not any(r.created for r in results):
        response.status_code = 200
    return BatchOut(payments=[_logged(ctx, r) for r in results])


@router.post(
    "/events/{event_id}/{patron_id}/payment",
    response_model=PaymentLoggedOut,
    status_code=201,
    responses={
        200: {
            "description": "Replay of an Idempotency-Key (the payment it logged), or a "
            "confirmation without an amount on a booking already paid (its payment status)",
            "content": {
                "application/json": {
                    "schema": {
                        "anyOf": [
                            {"$ref": "#/components/schemas/PaymentLoggedOut"},
                            {"$ref": "#/components/schemas/PaymentStatusOut"},
                        ]
                    }
                }
            },
        }
    },
)
async def log_payment(
    event_id: str,
    patron_id: str,
    request: Request,
    response: Response,
    body: PaymentIn | None = None,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    ctx, crew = await signed_crew(request)
    return await store_write(
        ctx, _log_payment, event_id, patron_id, response, ctx, crew, body, idempotency_key
    )


def _log_payment(
    event_id: str,
    patron_id: str,
    response: Response,
    ctx: Context,
    crew: CrewMember,
    body: PaymentIn | None,
    idempotency_key: str | None,
) -> Any:
    body = body or PaymentIn()
    if body.amount_cents is None and body.method is None and body.currency is None:
        result: payments.Logged | tuple[Booking, list[Payment]] = payment_confirm.confirm_paid(
            ctx,
            by=crew,
            event_id=event_id,
            patron_id=patron_id,
            reference=body.reference,
            note=body.note,
            idempotency_key=idempotency_key,
            occurred_at=body.occurred_at,
        )
    elif body.amount_cents is None or body.method is None:
        missing = "method" if body.method is None else "amount_cents"
        raise RequestValidationError(
            [
                {
                    "loc": ("body", missing),
                    "msg": "Field required: send amount_cents with a method, or neither to "
                    "confirm that the balance left was paid",
                    "type": "missing",
                }
            ]
        )
    else:
        req = PaymentRequest(
            patron_id=patron_id,
            amount_cents=body.amount_cents,
            method=body.method,
            reference=body.reference,
            note=body.note,
            currency=body.currency,
            occurred_at=body.occurred_at,
        )
        result = payments.log_payment(
            ctx, by=crew, event_id=event_id, req=req, idempotency_key=idempotency_key
        )
    if isinstance(result, tuple):
        return JSONResponse(_status_out(*result).model_dump(mode="json"))
    if not result.created:
        response.status_code = 200
    return _logged(ctx, result)


def _status_out(booking: Booking, history: list[Payment], credit: int = 0) -> PaymentStatusOut:
    return PaymentStatusOut(
        payment_cleared=booking.payment_cleared,
        cleared_at=booking.cleared_at,
        amount_due_cents=booking.amount_due_cents,
        amount_paid_cents=booking.amount_paid_cents,
        balance_cents=booking.balance_cents,
        currency=booking.currency,
        payments=[payment_out(p) for p in history],
        credit_cents=credit,
    )


@router.get("/events/{event_id}/{patron_id}/payment", response_model=PaymentStatusOut)
def payment_status(event_id: str, patron_id: str, ctx: Ctx, crew: Crew) -> PaymentStatusOut:
    booking, history, credit = credits.payment_status(ctx, event_id=event_id, patron_id=patron_id)
    return _status_out(booking, history, credit)


@router.get("/payments/{payment_id}", response_model=PaymentOut)
def get_payment(payment_id: str, ctx: Ctx, crew: Crew) -> PaymentOut:
    return payment_out(payments.get_payment(ctx, payment_id=payment_id))


@router.post("/payments/{payment_id}/void", response_model=PaymentLoggedOut)
def void_payment(payment_id: str, body: VoidIn, ctx: Ctx, crew: Crew) -> PaymentLoggedOut:
    result = payments.void_payment(ctx, by=crew, payment_id=payment_id, reason=body.reason)
    return _logged(ctx, result)
