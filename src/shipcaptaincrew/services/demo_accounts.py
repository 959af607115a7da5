"""The demo organisation's accounts: recognised by their email domain."""

from __future__ import annotations

from ..domain.models import CrewMember
from . import passwords
from .context import Context

DEMO_DOMAIN = "demo.shipcaptaincrew.test"


def is_demo(member: CrewMember) -> bool:
    return member.email.endswith(f"@{DEMO_DOMAIN}")


def demo_accounts_with_password(ctx: Context, *, password: str) -> list[CrewMember]:
    """The active demo accounts that still sign in with ``password`` (the published demo
    password). Changes nothing."""
    return [
        c
        for c in ctx.store.list_crew()
        if is_demo(c) and c.active and passwords.verify(c.password_hash, password)
    ]
