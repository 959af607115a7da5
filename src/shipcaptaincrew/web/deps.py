"""Typed dependencies: the use-case context and the signed-in crew member."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from ..domain.errors import Forbidden, Unauthenticated
from ..domain.models import CrewMember, Session
from ..services import auth
from ..services.context import Context
from .store_work import store_work

SESSION_COOKIE = "scc_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def client_ip(ctx: Context, request: Request) -> str:
    """The client's address.

    On AWS, CloudFront's viewer-request function puts the viewer's address in
    X-Viewer-Address and CloudFront adds X-Origin-Verify with SCC_ORIGIN_SECRET; the
    address is trusted only with that secret (the Function URL itself is public). With
    SCC_TRUST_PROXY=1 (``scc serve`` behind one reverse proxy), the last X-Forwarded-For
    hop: the one that proxy appended; earlier hops come from the client."""
    secret = ctx.settings.origin_secret
    sent = request.headers.get("x-origin-verify", "")
    viewer = request.headers.get("x-viewer-address", "").strip()
    if secret and viewer and hmac.compare_digest(sent.encode(), secret.encode()):
        return viewer
    if ctx.settings.trust_proxy:
        hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",")]
        if hops[-1]:
            return hops[-1]
    return request.client.host if request.client else ""


# Dependencies that do no I/O are ``async``: FastAPI runs a plain ``def`` dependency in the
# thread pool, a hop that costs more CPU than the work itself.
async def get_ctx(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


@dataclass(frozen=True)
class Principal:
    session: Session
    crew: CrewMember
    via_cookie: bool


# Each dependency below takes only the request: FastAPI solves a dependency's own
# dependencies again wherever it is named, even when its answer is already cached for the
# request, so a chain (crew -> principal -> sign-in -> context) cost a check-in about a
# tenth of its CPU. The sign-in's answer is kept on the request instead.
async def signed_in(request: Request) -> Principal:
    """The crew member behind a bearer token or the session cookie, even one who must
    still choose a new password. Cookie requests that change state must carry the
    session's CSRF token in the X-CSRF-Token header."""
    state = request.scope.get("state")
    if state is not None and (known := state.get("principal")) is not None:
        return known  # type: ignore[no-any-return]
    ctx: Context = request.app.state.ctx
    return await store_work(ctx, _principal, request, ctx)


def _principal(request: Request, ctx: Context) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    via_cookie = False
    if scheme.lower() != "bearer" or not token.strip():
        token = request.cookies.get(SESSION_COOKIE, "")
        via_cookie = True
    if not token:
        raise Unauthenticated("Please sign in.")
    session, crew = auth.authenticate(ctx, token=token.strip(), ip=client_ip(ctx, request))
    if via_cookie and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
            raise Forbidden(
                "Missing or wrong CSRF token; reload the page and try again.",
                {"header": CSRF_HEADER},
            )
    request.state.principal = principal = Principal(session, crew, via_cookie)
    return principal


async def current_principal(request: Request) -> Principal:
    """As ``signed_in``, refusing a member whose password was reset until they choose a
    new one (only who-am-I, the password change and sign-out are open to them)."""
    principal = await signed_in(request)
    if principal.crew.must_change_password:
        raise Forbidden(
            "Choose a new password before anything else.", {"must_change_password": True}
        )
    return principal


async def current_crew(request: Request) -> CrewMember:
    return (await current_principal(request)).crew


async def signed_crew(request: Request) -> tuple[Context, CrewMember]:
    """The context and the signed-in crew member, for the dock's busiest routes: read from
    the request, where the API's sign-in (``current_principal``, on every /api route) put
    the member, with no dependency of the route's own for FastAPI to solve (the two a
    check-in named, context and crew member, cost it about a tenth of its Python calls)."""
    ctx: Context = request.app.state.ctx
    return ctx, (await current_principal(request)).crew


Ctx = Annotated[Context, Depends(get_ctx)]
Crew = Annotated[CrewMember, Depends(current_crew)]
