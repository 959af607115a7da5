"""Crew accounts (admins and captains): list, add, reset a password, change a role,
deactivate and reactivate, see and end sessions, unlock sign-in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from ...domain.accounts import session_id
from ...domain.models import CrewMember, Session
from ...services import accounts, auth
from ..deferred_route import DeferredRoute
from ..deps import Crew, Ctx, Principal, current_principal
from ..schemas import CrewIn
from ..schemas_accounts import (
    CrewAccountOut,
    CrewAccountsOut,
    PasswordResetOut,
    RoleIn,
    SessionOut,
    SessionsOut,
    UnlockIn,
    UnlockOut,
)
from .common import ERRORS

router = APIRouter(route_class=DeferredRoute, prefix="/crew", tags=["crew"], responses=ERRORS)
Signed = Annotated[Principal, Depends(current_principal)]


def account_out(c: CrewMember) -> CrewAccountOut:
    return CrewAccountOut(
        id=c.id,
        name=c.name,
        email=c.email,
        role=c.role,
        active=c.active,
        must_change_password=c.must_change_password,
    )


@router.get("", response_model=CrewAccountsOut)
def list_crew(ctx: Ctx, crew: Crew) -> CrewAccountsOut:
    return CrewAccountsOut(crew=[account_out(c) for c in auth.list_crew(ctx, by=crew)])


@router.post("", response_model=CrewAccountOut, status_code=201)
def create_crew(body: CrewIn, ctx: Ctx, crew: Crew) -> CrewAccountOut:
    member = auth.create_crew(
        ctx,
        actor=auth.actor_of(crew),
        name=body.name,
        email=body.email,
        role=body.role,
        password=body.password,
        by=crew,
    )
    return account_out(member)


@router.post("/unlock", response_model=UnlockOut)
def unlock(body: UnlockIn, ctx: Ctx, crew: Crew) -> UnlockOut:
    """Clear the sign-in guess counters of an account and/or an address (admins)."""
    return UnlockOut(cleared=accounts.unlock(ctx, by=crew, email=body.email, address=body.address))


@router.post("/{crew_id}/password-reset", response_model=PasswordResetOut)
def reset_password(crew_id: str, ctx: Ctx, crew: Crew) -> PasswordResetOut:
    """A temporary password (shown once); the member must choose their own at next sign-in.
    All their sessions end."""
    member, temporary = accounts.set_password(ctx, by=crew, crew_id=crew_id)
    return PasswordResetOut(crew=account_out(member), temporary_password=temporary)


@router.post("/{crew_id}/role", response_model=CrewAccountOut)
def set_role(crew_id: str, body: RoleIn, ctx: Ctx, crew: Crew) -> CrewAccountOut:
    return account_out(accounts.set_role(ctx, by=crew, crew_id=crew_id, role=body.role))


@router.post("/{crew_id}/deactivate", response_model=CrewAccountOut)
def deactivate(crew_id: str, ctx: Ctx, crew: Crew) -> CrewAccountOut:
    """Sign-in is refused and every session ends at once."""
    return account_out(accounts.set_active(ctx, by=crew, crew_id=crew_id, active=False))


@router.post("/{crew_id}/reactivate", response_model=CrewAccountOut)
def reactivate(crew_id: str, ctx: Ctx, crew: Crew) -> CrewAccountOut:
    return account_out(accounts.set_active(ctx, by=crew, crew_id=crew_id, active=True))


def _session_out(s: Session, principal: Principal) -> SessionOut:
    return SessionOut(
        id=session_id(s.token_hash),
        created_at=s.created_at,
        last_used_at=s.last_used_at,
        expires_at=s.expires_at,
        address=s.address,
        current=s.token_hash == principal.session.token_hash,
    )


@router.get("/{crew_id}/sessions", response_model=SessionsOut)
def list_sessions(crew_id: str, ctx: Ctx, principal: Signed) -> SessionsOut:
    """Sessions not yet expired (created, last used, address): your own, or a member's you
    manage."""
    found = accounts.list_sessions(ctx, by=principal.crew, crew_id=crew_id)
    return SessionsOut(sessions=[_session_out(s, principal) for s in found])


@router.delete("/{crew_id}/sessions/{session_id}", status_code=204)
def end_session(crew_id: str, session_id: str, ctx: Ctx, principal: Signed) -> Response:
    accounts.end_session(ctx, by=principal.crew, crew_id=crew_id, session_id=session_id)
    return Response(status_code=204)
