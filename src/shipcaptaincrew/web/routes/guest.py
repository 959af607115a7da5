"""Guest pages under ``/g/{token}``: HTML rendered on the server, authenticated by the
unguessable token in the path only. Errors here are HTML pages, never JSON."""

from __future__ import annotations

import base64
import binascii
import functools
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.routing import BaseRoute, Mount

from ...domain.errors import Conflict, DomainError, Invalid, NotFound
from ...domain.models import Booking
from ...domain.money import format_money
from ...services import receipts, reminders, settlement_guest, waivers
from ...services.context import Context
from ...services.guest import GuestView, guest_view
from ..deferred_route import DeferredRoute, declared_again
from ..deps import Ctx, client_ip
from ..guest_forms import form_token, form_token_ok, read_form, same_origin

TEMPLATES = Path(__file__).parent.parent / "templates"
ASSETS = Path(__file__).parent.parent / "static" / "guest"


@functools.cache
def _env() -> Any:
    """The guest pages' templates, loaded on the first guest page (not on a cold start)."""
    from jinja2 import Environment, FileSystemLoader

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
    env.filters["money"] = lambda cents, currency: format_money(cents, currency)
    return env


router = APIRouter(route_class=DeferredRoute, prefix="/g", include_in_schema=False)


def page_html(name: str, **values: Any) -> str:
    """A template of web/templates rendered (autoescaped)."""
    return str(_env().get_template(name).render(**values))


def render(name: str, status: int = 200, **values: Any) -> HTMLResponse:
    html = page_html(name, **values)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def html_error(status: int, message: str) -> HTMLResponse:
    """A plain error page for guest URLs (used by web/errors.py for /g/ paths too)."""
    titles = {400: "Bad request", 403: "Not allowed", 404: "Page not found", 409: "Conflict"}
    return render("guest_error.html", status, title=titles.get(status, "Error"), message=message)


def _booking(ctx: Context, token: str) -> Booking:
    return waivers.booking_for_token(ctx, token=token)


@router.get("/{token}", response_class=HTMLResponse)
def guest_page(token: str, ctx: Ctx, signed: str | None = None) -> Response:
    try:
        view = guest_view(ctx, token=token)
    except NotFound:
        return html_error(404, "This guest link is not valid. Please check the address.")
    return booking_page(ctx, view, token, just_signed=signed == "1")


def booking_page(
    ctx: Context, view: GuestView, token: str, status: int = 200, **values: Any
) -> HTMLResponse:
    """The guest page (also re-shown with an error by the seats form)."""
    issued = int(ctx.now().timestamp())
    return render(
        "guest_booking.html",
        status,
        view=view,
        token=token,
        form_token=form_token(ctx, token, issued),
        **values,
    )


def seat_number(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) <= 3 else None


def _waiver_form(
    ctx: Context,
    token: str,
    status: int = 200,
    error: str = "",
    form: dict[str, str] | None = None,
    seat: str | None = None,
) -> Response:
    view = guest_view(ctx, token=token)
    if view.booking.waiver_signed:
        return RedirectResponse(f"/g/{token}", status_code=303)
    if view.template is None:
        return html_error(404, "This event has no online waiver. Crew will help you at the dock.")
    if not view.can_sign:
        return html_error(409, view.cannot_sign_reason)
    to_sign = view.seat_to_sign(seat_number(seat))
    if to_sign is None:
        return RedirectResponse(f"/g/{token}", status_code=303)
    person = view.label(to_sign)
    single = view.booking.party_size == 1
    defaults = {"signer_name": to_sign.name, "minor": "on" if to_sign.minor else ""}
    return render(
        "guest_waiver.html",
        status,
        view=view,
        action=f"/g/{token}/waiver",
        back_url=f"/g/{token}",
        back_text="Back to your booking",
        person=person,
        seat_no=to_sign.no,
        name_label="Type your full name to sign" if single else f"Full name of {person}",
        form_token=form_token(ctx, token, int(ctx.now().timestamp())),
        error=error,
        form=form or defaults,
    )


@router.get("/{token}/waiver", response_class=HTMLResponse)
def waiver_page(token: str, ctx: Ctx, seat: str | None = None) -> Response:
    try:
        return _waiver_form(ctx, token, seat=seat)
    except NotFound:
        return html_error(404, "This guest link is not valid. Please check the address.")


def _signature_bytes(data_url: str) -> bytes:
    prefix = "data:image/png;base64,"
    if not data_url.startswith(prefix):
        raise Invalid("Please draw your signature in the box.", {"field": "signature"})
    try:
        return base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise Invalid("The signature could not be read.", {"field": "signature"}) from None


def sign_request(form: dict[str, str]) -> waivers.SignRequest:
    """The signing form as a request; Invalid for a missing drawing or agreement."""
    version = form.get("template_version", "")
    req = waivers.SignRequest(
        template_id=form.get("template_id", ""),
        template_version=int(version) if version.isdigit() else 0,
        template_sha256=form.get("template_sha256", ""),
        signer_name=form.get("signer_name", ""),
        signature_png=_signature_bytes(form.get("signature", "")),
        minor=bool(form.get("minor")),
        guardian_name=form.get("guardian_name", ""),
        guardian_relationship=form.get("guardian_relationship", ""),
    )
    if not form.get("agree"):
        raise Invalid("Please tick the box to confirm you agree.", {"field": "agree"})
    return req


def kept_fields(form: dict[str, str]) -> dict[str, str]:
    """What the form shows again after a refusal (never the drawing)."""
    kept = {k: form.get(k, "") for k in ("signer_name", "guardian_name", "guardian_relationship")}
    kept["minor"] = "on" if form.get("minor") else ""
    return kept


@router.post("/{token}/waiver", response_class=HTMLResponse)
async def sign(token: str, request: Request, ctx: Ctx) -> Response:
    try:
        view = guest_view(ctx, token=token)
    except NotFound:
        return html_error(404, "This guest link is not valid. Please check the address.")
    if not same_origin(ctx, request):
        return html_error(403, "Please sign from the waiver page itself.")
    try:
        form = await read_form(request)
    except Invalid as err:
        return html_error(400, err.message)
    if not form_token_ok(ctx, token, form.get("form_token", "")):
        return html_error(403, "This page has expired. Please reload it and sign again.")
    seat = form.get("seat")  # pages from before seats sent none: the next seat to sign
    to_sign = view.seat_to_sign(None if seat is None else (seat_number(seat) or 0))
    if view.booking.waiver_signed or to_sign is None:
        return RedirectResponse(f"/g/{token}", status_code=303)
    kept = kept_fields(form)
    try:
        waivers.sign_waiver(
            ctx,
            booking=view.booking,
            req=sign_request(form),
            ip=client_ip(ctx, request),
            user_agent=request.headers.get("user-agent", ""),
            seat=to_sign.no,
        )
    except Invalid as err:
        return _waiver_form(ctx, token, 400, err.message, kept, str(to_sign.no))
    except Conflict as err:
        return _waiver_form(ctx, token, 409, err.message, kept, str(to_sign.no))
    except DomainError as err:
        return html_error(404 if isinstance(err, NotFound) else 400, err.message)
    return RedirectResponse(f"/g/{token}?signed=1", status_code=303)


async def _signed_form(
    ctx: Context, token: str, request: Request, *, use: str
) -> dict[str, str] | Response:
    """The form a patron posted from their guest page, or the HTML error page to answer
    (an unknown link, another origin, an unreadable body, an expired page)."""
    try:
        _booking(ctx, token)
    except NotFound:
        return html_error(404, "This guest link is not valid. Please check the address.")
    if not same_origin(ctx, request):
        return html_error(403, f"Please use {use} on your booking page.")
    try:
        form = await read_form(request)
    except Invalid as err:
        return html_error(400, err.message)
    if not form_token_ok(ctx, token, form.get("form_token", "")):
        return html_error(403, "This page has expired. Please reload it and try again.")
    return form


@router.post("/{token}/reminders", response_class=HTMLResponse)
async def stop_reminders(token: str, request: Request, ctx: Ctx) -> Response:
    """The patron stops reminder emails (a signed form post from their guest page)."""
    form = await _signed_form(ctx, token, request, use="the button")
    if isinstance(form, Response):
        return form
    reminders.stop_reminders(ctx, token=token)
    return RedirectResponse(f"/g/{token}", status_code=303)


@router.post("/{token}/settlement", response_class=HTMLResponse)
async def settlement_choice(token: str, request: Request, ctx: Ctx) -> Response:
    """The patron keeps a proposed move, asks for a refund instead of credit, or cancels a
    booking whose departure moved in time (a signed form post from their guest page)."""
    form = await _signed_form(ctx, token, request, use="the buttons")
    if isinstance(form, Response):
        return form
    try:
        settlement_guest.choose(
            ctx, token=token, choice=form.get("choice", ""), move_to=form.get("move_to", "")
        )
    except (Conflict, Invalid) as err:
        return booking_page(
            ctx, guest_view(ctx, token=token), token, 409, settlement_error=err.message
        )
    return RedirectResponse(f"/g/{token}#settlement", status_code=303)


@router.get("/{token}/waiver.pdf")
def signed_pdf(token: str, ctx: Ctx) -> Response:
    try:
        pdf = waivers.waiver_pdf(ctx, booking=_booking(ctx, token))
    except NotFound:
        return html_error(404, "There is no signed online waiver for this link.")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": 'attachment; filename="signed-waiver.pdf"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/{token}/receipts/{payment_id}.pdf")
def receipt(token: str, payment_id: str, ctx: Ctx) -> Response:
    """A receipt of this booking's payment; another booking's payment is a plain 404."""
    try:
        booking = _booking(ctx, token)
        pdf = receipts.receipt_pdf(ctx, payment_id=payment_id, booking=booking)
    except NotFound:
        return html_error(404, "There is no such receipt for this link.")
    name = receipts.receipt_filename(payment_id, None)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@functools.cache
def _pages() -> list[BaseRoute]:
    """The kiosk, seat and guest pages, declared again once per process for every app's own
    list of routes (``declared_again``)."""
    from . import guest_seats, kiosk_pages

    return [
        r
        for pages in (kiosk_pages.router, guest_seats.router, router)
        for r in declared_again(pages)
    ]


def routes() -> list[BaseRoute]:
    """The guest pages and their assets, for an app's own list of routes (under /g/ so
    CloudFront sends both to the app): the assets first."""
    assets = Mount("/g/assets", app=StaticFiles(directory=ASSETS), name="guest-assets")
    return [assets, *_pages()]
