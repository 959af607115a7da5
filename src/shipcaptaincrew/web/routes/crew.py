"""Crew accounts (admins and captains)."""

from __future__ import annotations

from fastapi import APIRouter

from ...services import auth
from ..deps import Crew, Ctx
from ..schemas import CrewIn, CrewListOut, CrewOut
from .auth import crew_out
from .common import ERRORS

router = APIRouter(prefix="/crew", tags=["crew"], responses=ERRORS)


@router.get("", response_model=CrewListOut)
def list_crew(ctx: Ctx, crew: Crew) -> CrewListOut:
    return CrewListOut(crew=[crew_out(c) for c in auth.list_crew(ctx, by=crew)])


@router.post("", response_model=CrewOut, status_code=201)
def create_crew(body: CrewIn, ctx: Ctx, crew: Crew) -> CrewOut:
    member = auth.create_crew(
        ctx,
        actor=auth.actor_of(crew),
        name=body.name,
        email=body.email,
        role=body.role,
        password=body.password,
        by=crew,
    )
    return crew_out(member)
