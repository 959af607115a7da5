"""Sign-in and sign-out (the seed's /admin routes), who am I, and the member's own account:
password change and sign out everywhere. Open to a member who must still choose a password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from ...services import accounts, auth
from ..deferred_route import DeferredRoute
from ..deps import CSRF_HEADER, SESSION_COOKIE, Ctx, Principal, client_ip, signed_in
from ..schemas import CrewOut, LoginIn, LoginOut, MeOut
from ..schemas_accounts import PasswordChangeIn
from .common import ERRORS

admin = APIRouter(route_class=DeferredRoute, prefix="/admin", tags=["auth"], responses=ERRORS)
api = APIRouter(route_class=DeferredRoute, tags=["auth"], responses=ERRORS)
Own = Annotated[Principal, Depends(signed_in)]


def crew_out(crew: auth.CrewMember) -> CrewOut:
    return CrewOut(id=crew.id, name=crew.name, email=crew.email, role=crew.role)


def _signed_out(ctx: Ctx) -> Response:
    response = Response(status_code=204)
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=ctx.settings.cookie_secure,
    )
    return response


@admin.post("/login", response_model=LoginOut)
def login(body: LoginIn, request: Request, response: Response, ctx: Ctx) -> LoginOut:
    ip = client_ip(ctx, request) or "unknown"
    signed = auth.login(ctx, email=body.email, password=body.password, ip=ip)
    response.set_cookie(
        SESSION_COOKIE,
        signed.token,
        httponly=True,
        samesite="strict",
        secure=ctx.settings.cookie_secure,
        path="/",
        max_age=ctx.settings.session_hours * 3600,
    )
    return LoginOut(
        token=signed.token,
        csrf_token=signed.session.csrf_token,
        csrf_header=CSRF_HEADER,
        crew=crew_out(signed.crew),
        must_change_password=signed.crew.must_change_password,
    )


@admin.post("/logout", status_code=204)
def logout(ctx: Ctx, principal: Own) -> Response:
    auth.logout(ctx, session=principal.session, crew=principal.crew)
    return _signed_out(ctx)


@api.get("/me", response_model=MeOut)
def me(ctx: Ctx, principal: Own) -> MeOut:
    return MeOut(
        crew=crew_out(principal.crew),
        csrf_token=principal.session.csrf_token,
        csrf_header=CSRF_HEADER,
        org_name=ctx.settings.org_name,
        must_change_password=principal.crew.must_change_password,
    )


@api.post("/me/password", status_code=204)
def change_password(body: PasswordChangeIn, ctx: Ctx, principal: Own) -> Response:
    """Your own password (the current one required); every other session of yours ends."""
    accounts.change_own_password(
        ctx,
        crew=principal.crew,
        session=principal.session,
        current=body.current_password,
        new=body.password,
    )
    return Response(status_code=204)


@api.post("/me/sign-out-everywhere", status_code=204)
def sign_out_everywhere(ctx: Ctx, principal: Own) -> Response:
    """End every session of yours, this one included."""
    accounts.sign_out_everywhere(ctx, crew=principal.crew)
    return _signed_out(ctx)
