"""Crew accounts: creation, sign-in and sessions. The account lifecycle (passwords, roles,
deactivation, sessions) is in ``services/accounts.py``."""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..domain import accounts as rules
from ..domain.errors import Forbidden, TooManyAttempts, Unauthenticated
from ..domain.models import IMPORTER, Actor, ActorKind, CrewMember, Role, Session, new_id
from ..domain.text import clean_line
from . import audit, passwords
from .access import actor_of, require_manager
from .addresses import normalise_email
from .context import Context

# Kept for callers that hash directly (tests, the demo loader).
hash_password = passwords.hash_password
TOUCH_EVERY = timedelta(minutes=1)
SIGN_IN = Actor(ActorKind.SYSTEM, "login", "Sign-in")


# The legacy importer works through the same use cases as an admin, but its changes are
# recorded as the system's (audit actor ``system:importer``). It cannot sign in.
IMPORTER_CREW = CrewMember(
    id=IMPORTER.id,
    name=IMPORTER.name,
    email="",
    role=Role.ADMIN,
    password_hash="",
    created_at=datetime(2000, 1, 1, tzinfo=UTC),
    active=False,
)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_crew(
    ctx: Context,
    *,
    actor: Actor,
    name: str,
    email: str,
    role: Role,
    password: str,
    by: CrewMember | None = None,
) -> CrewMember:
    """Add a crew account (password hashed with argon2). Writes an audit entry.

    ``by`` is the signed-in creator (None from the command line): captains may
    add crew only; admins may add any role. The password must pass the policy
    (``services/passwords.check_password``).
    """
    if by is not None:
        require_manager(by)
        if by.role != Role.ADMIN and role != Role.CREW:
            raise Forbidden("Only an admin can add admins and captains.", {"role": role.value})
    name = clean_line(name, "name", limit=200)
    email = normalise_email(email)
    passwords.check_password(password, email=email, name=name)
    member = CrewMember(
        id=new_id("crw"),
        name=name,
        email=email,
        role=role,
        password_hash=passwords.hash_password(password),
        created_at=ctx.now(),
    )
    entry = audit.entry(
        ctx,
        actor=actor,
        action="crew.created",
        subject=member.id,
        data={"name": member.name, "email": member.email, "role": role.value},
    )
    ctx.store.add_crew(member, entry)
    return member


@dataclass(frozen=True)
class SignedIn:
    token: str
    session: Session
    crew: CrewMember


def _throttled(slot: rules.AttemptSlot, now: datetime) -> TooManyAttempts:
    wait = rules.retry_after(slot, now)
    minutes = max(1, (wait + 59) // 60)
    where = "for this account from your address" if slot.key else "from your address"
    return TooManyAttempts(
        f"Too many failed sign-ins {where}. Try again in {minutes} minutes, or ask an admin "
        "to unlock it.",
        retry_after_s=wait,
    )


def login(ctx: Context, *, email: str, password: str, ip: str) -> SignedIn:
    """Check the password and open a session. Each guess first takes a place in the
    counters for (account, address) and for the address (domain/accounts.py), before the
    slow hash, so parallel guesses never pass the limits; a success gives its place back.
    Writes an audit entry either way; ``TooManyAttempts`` (nothing written) when a counter
    is full."""
    email = email.strip().lower()
    now = ctx.now()
    slots = rules.attempt_slots(email, ip, now)
    full = ctx.store.take_login_attempt(slots)
    if full is not None:
        raise _throttled(full, now)
    crew = ctx.store.get_crew_by_email(email)
    ok = passwords.verify(crew.password_hash if crew else passwords.dummy_hash(), password)
    if not ok or crew is None or not crew.active:
        reason = "deactivated" if ok else "wrong password"
        ctx.store.add_audit(
            audit.entry(
                ctx,
                actor=SIGN_IN,
                action="login.failed",
                subject=email,
                data={"ip": ip, "reason": reason},
            )
        )
        if ok:
            raise Unauthenticated("This account is deactivated; ask an admin.")
        raise Unauthenticated("Wrong email or password.")
    ctx.store.give_back_login_attempt(slots)
    token = secrets.token_urlsafe(32)
    session = Session(
        token_hash=hash_token(token),
        crew_id=crew.id,
        csrf_token=secrets.token_urlsafe(24),
        created_at=now,
        expires_at=now + timedelta(hours=ctx.settings.session_hours),
        address=ip,
        last_used_at=now,
    )
    ctx.store.add_session(
        session,
        audit.entry(ctx, actor=actor_of(crew), action="login", subject=crew.id, data={"ip": ip}),
    )
    return SignedIn(token, session, crew)


def authenticate(ctx: Context, *, token: str, ip: str = "") -> tuple[Session, CrewMember]:
    """The session and crew member for a bearer token or cookie. Notes the session's last
    use and address at most once a minute (no audit entry: bookkeeping)."""
    found = ctx.store.get_signed_in(hash_token(token)) if token else None
    if found is None:
        raise Unauthenticated("Please sign in.")
    session, crew = found
    now = ctx.now()
    if session.expires_at <= now or not crew.active:
        raise Unauthenticated("Please sign in.")
    stale = session.last_used_at is None or now - session.last_used_at >= TOUCH_EVERY
    if ip and (stale or session.address != ip):
        ctx.store.touch_session(session.token_hash, at=now, address=ip)
        session = dataclasses.replace(session, last_used_at=now, address=ip)
    return session, crew


def logout(ctx: Context, *, session: Session, crew: CrewMember) -> None:
    """End the session. Writes an audit entry."""
    ctx.store.delete_session(
        session.token_hash, audit.entry(ctx, actor=actor_of(crew), action="logout", subject=crew.id)
    )


def list_crew(ctx: Context, *, by: CrewMember) -> list[CrewMember]:
    """Every crew account, by name (admins and captains). Changes nothing."""
    require_manager(by)
    return ctx.store.list_crew()
