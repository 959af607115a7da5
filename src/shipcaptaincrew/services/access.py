"""Who may do what, and who the audit trail names: the checks every use case shares."""

from __future__ import annotations

from ..domain.errors import Forbidden
from ..domain.models import IMPORTER, Actor, ActorKind, CrewMember


def actor_of(crew: CrewMember | Actor) -> Actor:
    """The audit actor for ``crew``; the legacy importer's stand-in account is the system's
    ``importer`` actor; a provider (Stripe, PayPal) is its own actor."""
    if isinstance(crew, Actor):
        return crew
    if crew.id == IMPORTER.id:
        return IMPORTER
    return Actor(ActorKind.CREW, crew.id, crew.name)


def require_manager(crew: CrewMember) -> None:
    """Admins and captains only."""
    if not crew.role.manages:
        raise Forbidden("Only an admin or captain can do this.", {"role": crew.role.value})
