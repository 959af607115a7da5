"""The party's seats on the guest page (names, each person's own signing link) and the
seat link's own signing page, ``/g/seat/{event_id}/{patron_id}/{seat}/{secret}``: it
shows the event and the waiver only, and signs that one seat."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from ...domain.errors import Conflict, DomainError, Invalid, NotFound
from ...domain.seats import Person
from ...services import seats
from ...services.context import Context
from ...services.guest import guest_view
from ..deferred_route import DeferredRoute
from ..deps import Ctx, client_ip
from ..guest_forms import form_token, form_token_ok, read_form, same_origin
from .guest import booking_page, html_error, kept_fields, render, sign_request

router = APIRouter(route_class=DeferredRoute, prefix="/g", include_in_schema=False)

BAD_LINK = "This guest link is not valid. Please check the address."
BAD_SEAT_LINK = "This signing link is not valid, or the waiver is already signed."


async def _checked_form(ctx: Context, request: Request, key: str, fields: int = 20) -> dict:
    """The posted form once it passed the same-origin and form-token checks; Invalid or
    a refusal page's text otherwise."""
    if not same_origin(ctx, request):
        raise PermissionError("Please use the page itself.")
    form = await read_form(request, fields)
    if not form_token_ok(ctx, key, form.get("form_token", "")):
        raise PermissionError("This page has expired. Please reload it and try again.")
    return form


@router.post("/{token}/seats", response_class=HTMLResponse)
async def name_seats(token: str, request: Request, ctx: Ctx) -> Response:
    try:
        view = guest_view(ctx, token=token)
    except NotFound:
        return html_error(404, BAD_LINK)
    try:
        form = await _checked_form(ctx, request, token, 3 * view.booking.party_size + 5)
    except PermissionError as err:
        return html_error(403, str(err))
    except Invalid as err:
        return html_error(400, err.message)
    people = [
        Person(form.get(f"name_{n}", ""), bool(form.get(f"minor_{n}")), form.get(f"email_{n}", ""))
        for n in range(1, view.booking.party_size + 1)
    ]
    try:
        seats.name_seats(ctx, token=token, people=people)
    except (Invalid, Conflict) as err:
        status = 400 if isinstance(err, Invalid) else 409
        return booking_page(ctx, view, token, status, seats_error=err.message)
    return RedirectResponse(f"/g/{token}#seats", status_code=303)


@router.post("/{token}/seats/{no}/link", response_class=HTMLResponse)
async def make_link(token: str, no: int, request: Request, ctx: Ctx) -> Response:
    try:
        await _checked_form(ctx, request, token)
        seats.seat_link(ctx, token=token, no=no)
    except PermissionError as err:
        return html_error(403, str(err))
    except NotFound:
        return html_error(404, BAD_LINK)
    except DomainError:
        return RedirectResponse(f"/g/{token}#seats", status_code=303)
    return RedirectResponse(f"/g/{token}#seat-{no}", status_code=303)


@router.post("/{token}/seats/{no}/email", response_class=HTMLResponse)
async def email_link(token: str, no: int, request: Request, ctx: Ctx) -> Response:
    try:
        await _checked_form(ctx, request, token)
        booking = seats.email_seat_link(ctx, token=token, no=no)
    except PermissionError as err:
        return html_error(403, str(err))
    except NotFound:
        return html_error(404, BAD_LINK)
    except (Invalid, Conflict) as err:
        view = guest_view(ctx, token=token)
        status = 400 if isinstance(err, Invalid) else 409
        return booking_page(ctx, view, token, status, seats_error=err.message)
    except DomainError as err:
        return html_error(400, err.message)
    view = guest_view(ctx, token=token)
    person = view.label(view.seats[no - 1])
    return booking_page(ctx, view, token, emailed=person if booking else "")


def _seat_form(
    ctx: Context,
    view: seats.SeatView,
    key: str,
    path: str,
    status: int = 200,
    error: str = "",
    form: dict[str, str] | None = None,
) -> Response:
    if not view.can_sign:
        return html_error(409, view.cannot_sign_reason)
    defaults = {"signer_name": view.seat.name, "minor": "on" if view.seat.minor else ""}
    return render(
        "guest_waiver.html",
        status,
        view=view,
        action=path,
        back_url=path,
        back_text="Start again",
        person=view.label,
        seat_no=view.seat.no,
        name_label=f"Full name of {view.label}",
        form_token=form_token(ctx, key, int(ctx.now().timestamp())),
        error=error,
        form=form or defaults,
    )


def _seat_path(event_id: str, patron_id: str, no: int, secret: str) -> str:
    return f"/g/seat/{event_id}/{patron_id}/{no}/{secret}"


@router.get("/seat/{event_id}/{patron_id}/{no}/{secret}", response_class=HTMLResponse)
def seat_page(event_id: str, patron_id: str, no: int, secret: str, ctx: Ctx) -> Response:
    try:
        booking = seats.booking_for_seat_link(
            ctx, event_id=event_id, patron_id=patron_id, no=no, secret=secret
        )
        view = seats.seat_view(ctx, booking=booking, no=no)
    except NotFound:
        return html_error(404, BAD_SEAT_LINK)
    path = _seat_path(event_id, patron_id, no, secret)
    return _seat_form(ctx, view, f"seat:{secret}", path)


@router.post("/seat/{event_id}/{patron_id}/{no}/{secret}", response_class=HTMLResponse)
async def seat_sign(
    event_id: str, patron_id: str, no: int, secret: str, request: Request, ctx: Ctx
) -> Response:
    key, path = f"seat:{secret}", _seat_path(event_id, patron_id, no, secret)
    try:
        booking = seats.booking_for_seat_link(
            ctx, event_id=event_id, patron_id=patron_id, no=no, secret=secret
        )
        form = await _checked_form(ctx, request, key)
    except NotFound:
        return html_error(404, BAD_SEAT_LINK)
    except PermissionError as err:
        return html_error(403, str(err))
    except Invalid as err:
        return html_error(400, err.message)
    try:
        seats.sign_by_seat_link(
            ctx,
            event_id=event_id,
            patron_id=patron_id,
            no=no,
            secret=secret,
            req=sign_request(form),
            ip=client_ip(ctx, request),
            user_agent=request.headers.get("user-agent", ""),
        )
    except (Invalid, Conflict) as err:
        view = seats.seat_view(ctx, booking=booking, no=no)
        status = 400 if isinstance(err, Invalid) else 409
        return _seat_form(ctx, view, key, path, status, err.message, kept_fields(form))
    except DomainError as err:
        return html_error(404 if isinstance(err, NotFound) else 400, err.message)
    return render("guest_seat_signed.html", view=seats.seat_view(ctx, booking=booking, no=no))
