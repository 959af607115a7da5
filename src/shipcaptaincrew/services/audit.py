"""Audit entries: who changed what, when. Append-only."""

from __future__ import annotations

from typing import Any

from ..domain.models import Actor, AuditEntry, CrewMember, new_id
from .access import require_manager
from .context import Context


def entry(
    ctx: Context,
    *,
    actor: Actor,
    action: str,
    subject: str,
    event_id: str | None = None,
    patron_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """A new entry stamped with the context's clock. Writes nothing by itself."""
    return AuditEntry(
        id=new_id("aud"),
        at=ctx.now(),
        actor=actor.label,
        actor_name=actor.name,
        action=action,
        subject=subject,
        event_id=event_id,
        patron_id=patron_id,
        data=data or {},
    )


def list_entries(
    ctx: Context,
    *,
    by: CrewMember,
    event_id: str | None = None,
    patron_id: str | None = None,
    limit: int = 200,
) -> list[AuditEntry]:
    """Read the trail, newest first (admins and captains). Changes nothing."""
    require_manager(by)
    return ctx.store.list_audit(event_id=event_id, patron_id=patron_id, limit=limit)
