"""Paying online: the guest page's "Pay now", the providers' webhooks, and refunds.

The webhooks are outside crew sign-in and CSRF: the provider proves itself with the
signature over the raw body (Stripe) or PayPal's verify-webhook-signature call."""

from __future__ import annotations

import functools
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.routing import BaseRoute

from ...domain.errors import DomainError, Invalid, NotFound, ProviderFailed
from ...services import online, refunds
from ..deferred_route import DeferredRoute, declared_again
from ..deps import Crew, Ctx
from ..errors import ErrorOut
from ..guest_forms import form_token_ok, read_form, same_origin
from ..schemas import BookingOut
from ..schemas_money import RefundIn, RefundOut, WebhookOut
from .common import ERRORS, payment_out
from .guest import html_error

router = APIRouter(route_class=DeferredRoute, tags=["payments"], responses=ERRORS)
hooks = APIRouter(
    route_class=DeferredRoute, prefix="/api/webhooks", tags=["webhooks"], responses=ERRORS
)
guest = APIRouter(route_class=DeferredRoute, prefix="/g", include_in_schema=False)

Provider = Annotated[Literal["stripe", "paypal"], Path()]
IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)
]


@hooks.post("/{provider}", response_model=WebhookOut)
async def webhook(provider: Provider, request: Request, ctx: Ctx) -> WebhookOut:
    """A provider's event: verified, then each completed payment or refund recorded once."""
    body = await request.body()
    headers = {k.lower(): v for k, v in request.headers.items()}
    result = online.receive_webhook(ctx, provider=provider, body=body, headers=headers)
    return WebhookOut(recorded=result.recorded, repeated=result.repeated, kept=result.kept)


@router.post(
    "/payments/{payment_id}/refund",
    response_model=RefundOut,
    status_code=201,
    responses={
        202: {"model": RefundOut, "description": "Asked of the provider; recorded by webhook"},
        502: {"model": ErrorOut, "description": "The payment provider refused or is unreachable"},
    },
)
def refund(
    payment_id: str,
    body: RefundIn,
    response: Response,
    ctx: Ctx,
    crew: Crew,
    idempotency_key: IdempotencyKey = None,
) -> RefundOut:
    result = refunds.refund_payment(
        ctx,
        by=crew,
        payment_id=payment_id,
        amount_cents=body.amount_cents,
        reason=body.reason,
        idempotency_key=idempotency_key,
    )
    if result.refund is None:
        response.status_code = 202
    elif not result.created:
        response.status_code = 200
    return RefundOut(
        status="requested" if result.refund is None else "refunded",
        payment=payment_out(result.payment),
        refund=payment_out(result.refund) if result.refund else None,
        provider_refund=result.requested or None,
        booking=BookingOut.of(result.booking, ctx.settings.public_url, None),
    )


@router.post("/events/{event_id}/{patron_id}/pay-link", response_model=BookingOut, status_code=202)
def pay_link(event_id: str, patron_id: str, ctx: Ctx, crew: Crew) -> BookingOut:
    """Email the patron their guest link to pay the balance online (any crew member)."""
    booking = online.send_pay_link(ctx, by=crew, event_id=event_id, patron_id=patron_id)
    return BookingOut.of(booking, ctx.settings.public_url, None)


@guest.post("/{token}/pay", response_class=HTMLResponse)
async def pay_now(token: str, request: Request, ctx: Ctx) -> Response:
    """The guest page's "Pay now": off to the provider's checkout for the balance."""
    if not same_origin(ctx, request):
        return html_error(403, "Please pay from your booking page itself.")
    try:
        form = await read_form(request)
        if not form_token_ok(ctx, token, form.get("form_token", "")):
            return html_error(403, "This page has expired. Please reload it and try again.")
        provider = form.get("provider") or None
        checkout = online.start_checkout(ctx, token=token, provider=provider)
    except NotFound as err:
        return html_error(404, err.message)
    except ProviderFailed as err:
        return html_error(502, err.message)
    except Invalid as err:
        return html_error(400, err.message)
    except DomainError as err:
        return html_error(409 if err.code == "conflict" else 400, err.message)
    return RedirectResponse(checkout.url, status_code=303)


@functools.cache
def routes() -> list[BaseRoute]:
    """The webhooks and the guest's checkout, declared again once per process for every
    app's own list of routes (``declared_again``)."""
    return [*declared_again(hooks), *declared_again(guest)]
