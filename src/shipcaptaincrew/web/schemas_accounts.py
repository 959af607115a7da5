"""Request and response models of the crew account lifecycle."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from ..domain.models import Role
from .schemas import CrewOut, In, Out


class CrewAccountOut(CrewOut):
    active: bool
    must_change_password: bool


class CrewAccountsOut(Out):
    crew: list[CrewAccountOut]


class PasswordChangeIn(In):
    current_password: Annotated[str, Field(min_length=1, max_length=1000)]
    password: Annotated[str, Field(min_length=1, max_length=1000)]


class PasswordResetOut(Out):
    crew: CrewAccountOut
    temporary_password: str


class RoleIn(In):
    role: Role


class SessionOut(Out):
    id: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime
    address: str
    current: bool


class SessionsOut(Out):
    sessions: list[SessionOut]


class UnlockIn(In):
    email: Annotated[str, Field(max_length=320)] = ""
    address: Annotated[str, Field(max_length=64)] = ""


class UnlockOut(Out):
    cleared: int
