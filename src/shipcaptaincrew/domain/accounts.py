"""Crew accounts: who may change whose account, and how sign-in guesses are counted.

Who may do what (the service checks these before any write):

- everyone: change their own password (the current one required), sign out everywhere;
- captains: for members whose role is crew only: reset the password, deactivate,
  reactivate, see and end sessions. Captains change no roles: they never raise anyone to
  captain or admin, and leave captains and admins alone;
- admins: all of that for every member, and change roles. Nobody deactivates themselves or
  changes their own role from the console (another admin or ``scc user`` does), so an
  organisation is never left without an active admin by its own hand.

Sign-in guesses are counted in fixed windows, each guess reserved before the password is
checked (``AttemptSlot``): at most ``PAIR_LIMIT`` per account from one address per
``PAIR_WINDOW``, and ``ADDRESS_LIMIT`` per address per ``ADDRESS_WINDOW`` whatever the account.
A guess from another address is never held back by the first address's failures, so wrong
guesses from anywhere never lock the owner out. A successful sign-in gives its reservation
back. Admins unlock an account (every address) or an address at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .errors import Forbidden, Invalid
from .models import CrewMember, Role

MIN_PASSWORD = 12

PAIR_LIMIT = 5
PAIR_WINDOW = timedelta(minutes=15)
ADDRESS_LIMIT = 50
ADDRESS_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class AttemptSlot:
    """One counter a sign-in guess takes a place in: ``scope`` (``account:EMAIL`` or
    ``address:IP``), ``key`` within it (the address for an account, "" for an address),
    ``window`` (the window's start, epoch seconds), at most ``limit`` places, kept until
    ``expires_at``."""

    scope: str
    key: str
    window: int
    limit: int
    expires_at: datetime


def account_scope(email: str) -> str:
    return f"account:{email}"


def address_scope(address: str) -> str:
    return f"address:{address}"


def _slot(scope: str, key: str, now: datetime, length: timedelta, limit: int) -> AttemptSlot:
    seconds = int(length.total_seconds())
    start = int(now.timestamp()) // seconds * seconds
    end = datetime.fromtimestamp(start + seconds, UTC)
    return AttemptSlot(scope, key, start, limit, end)


def attempt_slots(email: str, address: str, now: datetime) -> list[AttemptSlot]:
    """The counters one sign-in guess for ``email`` from ``address`` takes a place in."""
    return [
        _slot(account_scope(email), address, now, PAIR_WINDOW, PAIR_LIMIT),
        _slot(address_scope(address), "", now, ADDRESS_WINDOW, ADDRESS_LIMIT),
    ]


def retry_after(slot: AttemptSlot, now: datetime) -> int:
    """Seconds until ``slot``'s window ends (what a refused guess waits)."""
    return max(1, int((slot.expires_at - now).total_seconds()))


def session_id(token_hash: str) -> str:
    """How a session is named to admins: the start of its token's hash (the hash is not a
    credential; the token never leaves the member's device)."""
    return token_hash[:16]


def check_password_length(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid(
            f"Password must be at least {MIN_PASSWORD} characters.", {"field": "password"}
        )


def check_manage(by: CrewMember, target: CrewMember) -> None:
    """Refuse unless ``by`` may reset, (de)activate and see the sessions of ``target``."""
    if by.role == Role.ADMIN:
        return
    if by.role == Role.CAPTAIN and target.role == Role.CREW:
        return
    if by.role == Role.CAPTAIN:
        raise Forbidden(
            "Captains manage crew accounts only; ask an admin.", {"role": target.role.value}
        )
    raise Forbidden("Only an admin or a captain can manage crew accounts.")


def check_not_self(by: CrewMember, target: CrewMember, what: str) -> None:
    if by.id == target.id:
        raise Forbidden(f"You cannot {what} your own account; ask another admin.")


def check_role_change(by: CrewMember, target: CrewMember, role: Role) -> None:
    """Only admins change roles, never their own."""
    if by.role != Role.ADMIN:
        raise Forbidden("Only an admin can change a role.", {"role": role.value})
    check_not_self(by, target, "change the role of")
