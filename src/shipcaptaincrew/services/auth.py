"""Crew accounts, sign-in and sessions."""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..domain.errors import Forbidden, Invalid, TooManyAttempts, Unauthenticated
from ..domain.models import IMPORTER, Actor, ActorKind, CrewMember, Role, Session, new_id
from ..domain.text import clean_line
from . import audit
from .access import actor_of, require_manager
from .addresses import normalise_email
from .context import Context

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """A real hash to verify against when the email is unknown, so both paths cost the
    same. Made on first use: hashing at import would slow every cold start."""
    return _hasher.hash("not-a-real-password")


MIN_PASSWORD = 10
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 30


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


def hash_password(password: str) -> str:
    return _hasher.hash(password)


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
    add crew only; admins may add any role.
    """
    if by is not None:
        require_manager(by)
        if by.role != Role.ADMIN and role != Role.CREW:
            raise Forbidden("Only an admin can add admins and captains.", {"role": role.value})
    name = clean_line(name, "name", limit=200)
    email = normalise_email(email)
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"Password must be at least {MIN_PASSWORD} characters.")
    member = CrewMember(
        id=new_id("crw"),
        name=name,
        email=email,
        role=role,
        password_hash=_hasher.hash(password),
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


def login(ctx: Context, *, email: str, password: str, ip: str) -> SignedIn:
    """Check the password and open a session. Writes an audit entry either way;
    refuses with TooManyAttempts after repeated failures for an email or address."""
    email = email.strip().lower()
    now = ctx.now()
    since = now - THROTTLE_WINDOW
    keys = {f"email:{email}": MAX_FAILURES_PER_EMAIL, f"ip:{ip}": MAX_FAILURES_PER_IP}
    for key, limit in keys.items():
        if ctx.store.count_login_failures(key, since) >= limit:
            raise TooManyAttempts(
                "Too many failed sign-ins. Try again in 15 minutes.",
                retry_after_s=int(THROTTLE_WINDOW.total_seconds()),
            )
    crew = ctx.store.get_crew_by_email(email)
    try:
        _hasher.verify(crew.password_hash if crew else _dummy_hash(), password)
        ok = crew is not None and crew.active
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or crew is None:
        who = Actor(ActorKind.SYSTEM, "login", "Sign-in")
        ctx.store.add_login_failure(
            list(keys),
            now,
            audit.entry(ctx, actor=who, action="login.failed", subject=email, data={"ip": ip}),
        )
        raise Unauthenticated("Wrong email or password.")
    ctx.store.clear_login_failures(f"email:{email}")
    token = secrets.token_urlsafe(32)
    session = Session(
        token_hash=hash_token(token),
        crew_id=crew.id,
        csrf_token=secrets.token_urlsafe(24),
        created_at=now,
        expires_at=now + timedelta(hours=ctx.settings.session_hours),
    )
    ctx.store.add_session(
        session,
        audit.entry(ctx, actor=actor_of(crew), action="login", subject=crew.id, data={"ip": ip}),
    )
    return SignedIn(token, session, crew)


def authenticate(ctx: Context, *, token: str) -> tuple[Session, CrewMember]:
    """The session and crew member for a bearer token or cookie. Changes nothing."""
    found = ctx.store.get_signed_in(hash_token(token)) if token else None
    if found is None:
        raise Unauthenticated("Please sign in.")
    session, crew = found
    if session.expires_at <= ctx.now() or not crew.active:
        raise Unauthenticated("Please sign in.")
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
