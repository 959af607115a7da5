"""The waiver kiosk's pages, ``/g/kiosk/{token}``: a surname search over one event's
bookings, a party's seats, and the signing form. The token in the path is the kiosk's
only credential (its own kind: no crew session, no /api route takes it)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from ...domain.errors import Conflict, DomainError, Invalid, NotFound
from ...services import kiosk
from ...services.context import Context
from ..deferred_route import DeferredRoute
from ..deps import Ctx, client_ip
from ..guest_forms import form_token, form_token_ok, read_form, same_origin
from .guest import html_error, kept_fields, render, sign_request

router = APIRouter(route_class=DeferredRoute, prefix="/g/kiosk", include_in_schema=False)

ENDED = "This kiosk has ended. Please ask the crew."


def _home(token: str) -> str:
    return f"/g/kiosk/{token}"


@router.get("/{token}", response_class=HTMLResponse)
def search_page(token: str, ctx: Ctx, q: str | None = None, done: str | None = None) -> Response:
    try:
        if q is None:
            view: object = kiosk.kiosk_page(ctx, token=token)
            return render("kiosk_search.html", view=view, home=_home(token), q="", done=done == "1")
        view = kiosk.search(ctx, token=token, query=q)
        return render("kiosk_search.html", view=view, home=_home(token), q=q)
    except NotFound:
        return html_error(404, ENDED)
    except Invalid as err:
        view = kiosk.kiosk_page(ctx, token=token)
        return render(
            "kiosk_search.html", 400, view=view, home=_home(token), q=q, error=err.message
        )


@router.get("/{token}/p/{patron_id}", response_class=HTMLResponse)
def party_page(token: str, patron_id: str, ctx: Ctx) -> Response:
    try:
        view = kiosk.party(ctx, token=token, patron_id=patron_id)
    except NotFound as err:
        return html_error(404, err.message)
    return render("kiosk_party.html", view=view, home=_home(token))


def _form(
    ctx: Context,
    token: str,
    patron_id: str,
    no: int,
    status: int = 200,
    error: str = "",
    form: dict[str, str] | None = None,
) -> Response:
    _kiosk, view = kiosk.kiosk_seat(ctx, token=token, patron_id=patron_id, no=no)
    home = _home(token)
    if not view.can_sign:
        return RedirectResponse(f"{home}/p/{patron_id}", status_code=303)
    first = view.seat.name.split()[0] if view.seat.name.split() else f"Person {no}"
    return render(
        "guest_waiver.html",
        status,
        view=view,
        action=f"{home}/p/{patron_id}/{no}",
        back_url=home,
        back_text="Back to the search",
        person=first,
        seat_no=no,
        name_label=f"Full name of {first}",
        kiosk_home=home,
        form_token=form_token(ctx, f"kiosk:{token}", int(ctx.now().timestamp())),
        error=error,
        form=form or {"minor": "on" if view.seat.minor else ""},
    )


@router.get("/{token}/p/{patron_id}/{no}", response_class=HTMLResponse)
def seat_page(token: str, patron_id: str, no: int, ctx: Ctx) -> Response:
    try:
        return _form(ctx, token, patron_id, no)
    except NotFound as err:
        return html_error(404, err.message)


@router.post("/{token}/p/{patron_id}/{no}", response_class=HTMLResponse)
async def sign(token: str, patron_id: str, no: int, request: Request, ctx: Ctx) -> Response:
    try:
        kiosk.kiosk_for_token(ctx, token=token)
    except NotFound:
        return html_error(404, ENDED)
    if not same_origin(ctx, request):
        return html_error(403, "Please sign from the kiosk page itself.")
    try:
        form = await read_form(request)
    except Invalid as err:
        return html_error(400, err.message)
    if not form_token_ok(ctx, f"kiosk:{token}", form.get("form_token", "")):
        return html_error(403, "This page has expired. Please start again.")
    try:
        kiosk.kiosk_sign(
            ctx,
            token=token,
            patron_id=patron_id,
            no=no,
            req=sign_request(form),
            ip=client_ip(ctx, request),
            user_agent=request.headers.get("user-agent", ""),
        )
    except Invalid as err:
        return _form(ctx, token, patron_id, no, 400, err.message, kept_fields(form))
    except Conflict as err:
        return _form(ctx, token, patron_id, no, 409, err.message, kept_fields(form))
    except DomainError as err:
        return html_error(404 if isinstance(err, NotFound) else 400, err.message)
    return RedirectResponse(f"{_home(token)}?done=1", status_code=303)
