"""The crew account lifecycle: passwords, roles, deactivation, sessions, unlocking.

Who may do what is in ``domain/accounts.py``. Every change writes an audit entry naming its
actor; ``by`` is the signed-in member, or None for the operator at the command line (actor
``system``), who may do everything.
"""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

from ..domain import accounts as rules
from ..domain import refusals
from ..domain.errors import Forbidden, Invalid, NotFound
from ..domain.models import SYSTEM, Actor, CrewMember, Role, Session
from . import audit, passwords
from .access import actor_of
from .context import Context


def _actor(by: CrewMember | None) -> Actor:
    return actor_of(by) if by is not None else SYSTEM


def _member(ctx: Context, crew_id: str) -> CrewMember:
    member = ctx.store.get_crew(crew_id)
    if member is None:
        raise refusals.no_such_crew(crew_id)
    return member


def crew_by_email(ctx: Context, *, email: str) -> CrewMember:
    """The member with this email (any case). Changes nothing."""
    member = ctx.store.get_crew_by_email(email.strip().lower())
    if member is None:
        raise NotFound("No crew member with this email.", {"email": email.strip().lower()})
    return member


def _save(
    ctx: Context,
    member: CrewMember,
    *,
    by: CrewMember | None,
    action: str,
    data: dict[str, Any] | None = None,
    end: list[str] | None = None,
) -> CrewMember:
    entry = audit.entry(ctx, actor=_actor(by), action=action, subject=member.id, data=data)
    ctx.store.update_crew(member, entry, end_sessions=end or [])
    return member


def _all_sessions(ctx: Context, crew_id: str) -> list[str]:
    return [s.token_hash for s in ctx.store.list_sessions(crew_id)]


def change_own_password(
    ctx: Context, *, crew: CrewMember, session: Session, current: str, new: str
) -> CrewMember:
    """Set the member's own password (the current one required) and end every other
    session of theirs; clears a forced change. Writes an audit entry."""
    if not passwords.verify(crew.password_hash, current):
        raise Invalid("Your current password is wrong.", {"field": "current_password"})
    if new == current:
        raise Invalid("Choose a password different from the current one.", {"field": "password"})
    passwords.check_password(new, email=crew.email, name=crew.name)
    changed = dataclasses.replace(
        crew, password_hash=passwords.hash_password(new), must_change_password=False
    )
    others = [h for h in _all_sessions(ctx, crew.id) if h != session.token_hash]
    return _save(
        ctx,
        changed,
        by=crew,
        action="crew.password_changed",
        data={"sessions_ended": len(others)},
        end=others,
    )


def set_password(
    ctx: Context,
    *,
    by: CrewMember | None,
    crew_id: str,
    password: str | None = None,
    force_change: bool = False,
) -> tuple[CrewMember, str]:
    """Give the member a new password and end all their sessions. A signed-in manager
    (``by``) resets it: a temporary password is made and the member must choose their own
    at next sign-in. The operator (``by=None``) may set ``password`` itself (checked
    against the policy; a change at next sign-in only with ``force_change``). Returns the
    member and the password set. Writes an audit entry (never the password)."""
    member = _member(ctx, crew_id)
    forced = by is not None or password is None or force_change
    if by is not None:
        rules.check_manage(by, member)
        rules.check_not_self(by, member, "reset the password of")
        password = None
    if password is None:
        password = secrets.token_urlsafe(12)
    else:
        passwords.check_password(password, email=member.email, name=member.name)
    changed = dataclasses.replace(
        member, password_hash=passwords.hash_password(password), must_change_password=forced
    )
    action = "crew.password_reset" if forced else "crew.password_set"
    _save(ctx, changed, by=by, action=action, end=_all_sessions(ctx, crew_id))
    return changed, password


def set_role(ctx: Context, *, by: CrewMember | None, crew_id: str, role: Role) -> CrewMember:
    """Change the member's role (admins only, never their own). Writes an audit entry."""
    member = _member(ctx, crew_id)
    if by is not None:
        rules.check_role_change(by, member, role)
    if member.role == role:
        return member
    data = {"from": member.role.value, "to": role.value}
    return _save(
        ctx, dataclasses.replace(member, role=role), by=by, action="crew.role_changed", data=data
    )


def set_active(ctx: Context, *, by: CrewMember | None, crew_id: str, active: bool) -> CrewMember:
    """Deactivate (every session ends at once, sign-in is refused) or reactivate the
    member. Writes an audit entry; nothing when the account is already so."""
    member = _member(ctx, crew_id)
    if by is not None:
        rules.check_manage(by, member)
        rules.check_not_self(by, member, "deactivate or reactivate")
    if member.active == active:
        return member
    end = [] if active else _all_sessions(ctx, crew_id)
    action = "crew.reactivated" if active else "crew.deactivated"
    changed = dataclasses.replace(member, active=active)
    return _save(ctx, changed, by=by, action=action, data={"sessions_ended": len(end)}, end=end)


def list_sessions(ctx: Context, *, by: CrewMember, crew_id: str) -> list[Session]:
    """The member's sessions that have not expired, oldest first (yourself, or a member
    you manage). Changes nothing."""
    member = _member(ctx, crew_id)
    if by.id != member.id:
        rules.check_manage(by, member)
    now = ctx.now()
    return [s for s in ctx.store.list_sessions(crew_id) if s.expires_at > now]


def end_session(ctx: Context, *, by: CrewMember, crew_id: str, session_id: str) -> None:
    """End one of the member's sessions, named by ``domain/accounts.session_id``.
    Writes an audit entry."""
    mine = [
        s.token_hash
        for s in list_sessions(ctx, by=by, crew_id=crew_id)
        if rules.session_id(s.token_hash) == session_id
    ]
    if not mine:
        raise NotFound("No such session.", {"session_id": session_id})
    entry = audit.entry(
        ctx,
        actor=actor_of(by),
        action="crew.session_ended",
        subject=crew_id,
        data={"session_id": session_id},
    )
    ctx.store.end_sessions(crew_id, mine, entry)


def sign_out_everywhere(ctx: Context, *, crew: CrewMember) -> int:
    """End every session of the member, this one included. Writes an audit entry;
    returns how many ended."""
    entry = audit.entry(
        ctx, actor=actor_of(crew), action="crew.signed_out_everywhere", subject=crew.id
    )
    return ctx.store.end_sessions(crew.id, _all_sessions(ctx, crew.id), entry)


def unlock(ctx: Context, *, by: CrewMember | None, email: str = "", address: str = "") -> int:
    """Clear the sign-in guess counters of an account (from every address) and/or of an
    address (admins and the operator). Writes an audit entry; returns the places cleared."""
    if by is not None and by.role != Role.ADMIN:
        raise Forbidden("Only an admin can unlock sign-in.", {"role": by.role.value})
    email = email.strip().lower()
    address = address.strip()
    if not email and not address:
        raise Invalid("Name an account's email or an address to unlock.")
    cleared = 0
    for scope in ([rules.account_scope(email)] if email else []) + (
        [rules.address_scope(address)] if address else []
    ):
        entry = audit.entry(
            ctx, actor=_actor(by), action="crew.unlocked", subject=scope, data={"scope": scope}
        )
        cleared += ctx.store.clear_login_attempts(scope, entry)
    return cleared
