"""Sign-in and sign-out (the seed's /admin routes) and who am I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from ...services import auth
from ..deps import CSRF_HEADER, SESSION_COOKIE, Ctx, Principal, client_ip, current_principal
from ..schemas import CrewOut, LoginIn, LoginOut, MeOut
from .common import ERRORS

admin = APIRouter(prefix="/admin", tags=["auth"], responses=ERRORS)
api = APIRouter(tags=["auth"], responses=ERRORS)


def crew_out(crew: auth.CrewMember) -> CrewOut:
    return CrewOut(id=crew.id, name=crew.name, email=crew.email, role=crew.role)


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
    )


@admin.post("/logout", status_code=204)
def logout(
    response: Response, ctx: Ctx, principal: Annotated[Principal, Depends(current_principal)]
) -> Response:
    auth.logout(ctx, session=principal.session, crew=principal.crew)
    response = Response(status_code=204)
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=ctx.settings.cookie_secure,
    )
    return response


@api.get("/me", response_model=MeOut)
def me(ctx: Ctx, principal: Annotated[Principal, Depends(current_principal)]) -> MeOut:
    return MeOut(
        crew=crew_out(principal.crew),
        csrf_token=principal.session.csrf_token,
        csrf_header=CSRF_HEADER,
        org_name=ctx.settings.org_name,
    )
