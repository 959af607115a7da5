"""``scc user``: crew accounts for the operator who has no console yet.

Every change is audited with the actor ``system``. Errors are one line (cli_errors.py): an
unknown email exits 2, a refused password 1."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from .config import Settings

user_app = typer.Typer(
    help="Crew accounts: list, set a password, deactivate, activate, unlock sign-in.",
    no_args_is_help=True,
)


def _context():  # noqa: ANN202 - imported lazily so that `scc --help` stays fast
    from .bootstrap import build_store
    from .services.context import Context

    settings = Settings.from_env()
    return Context(store=build_store(settings), settings=settings)


@user_app.command("list")
def list_users() -> None:
    """Every crew account: email, role, state, name."""
    ctx = _context()
    for c in ctx.store.list_crew():
        state = "active" if c.active else "deactivated"
        if c.must_change_password:
            state += ", must change password"
        typer.echo(f"{c.email}\t{c.role.value}\t{state}\t{c.name}")


@user_app.command("passwd")
def passwd(
    email: str,
    temporary: Annotated[
        bool, typer.Option(help="Make the member choose a new password at next sign-in.")
    ] = False,
) -> None:
    """Set a member's password (from SCC_NEW_USER_PASSWORD or a prompt); all their
    sessions end."""
    from .services import accounts

    ctx = _context()
    member = accounts.crew_by_email(ctx, email=email)
    password = os.environ.get("SCC_NEW_USER_PASSWORD") or typer.prompt(
        "New password", hide_input=True, confirmation_prompt=True
    )
    accounts.set_password(
        ctx, by=None, crew_id=member.id, password=password, force_change=temporary
    )
    note = " They must choose a new one at next sign-in." if temporary else ""
    typer.echo(f"Password set for {member.email}; their sessions ended.{note}")


@user_app.command("deactivate")
def deactivate(email: str) -> None:
    """Refuse the member's sign-in and end their sessions at once."""
    from .services import accounts

    ctx = _context()
    member = accounts.crew_by_email(ctx, email=email)
    accounts.set_active(ctx, by=None, crew_id=member.id, active=False)
    typer.echo(f"Deactivated {member.email}; their sessions ended.")


@user_app.command("activate")
def activate(email: str) -> None:
    """Let a deactivated member sign in again."""
    from .services import accounts

    ctx = _context()
    member = accounts.crew_by_email(ctx, email=email)
    accounts.set_active(ctx, by=None, crew_id=member.id, active=True)
    typer.echo(f"Activated {member.email}.")


@user_app.command("unlock")
def unlock(
    email: Annotated[str, typer.Argument(help="The account to unlock (every address).")] = "",
    address: Annotated[str, typer.Option(help="Also unlock this client address.")] = "",
) -> None:
    """Clear the failed sign-in counts of an account and/or an address."""
    from .services import accounts

    ctx = _context()
    if email:
        email = accounts.crew_by_email(ctx, email=email).email
    cleared = accounts.unlock(ctx, by=None, email=email, address=address)
    typer.echo(f"Unlocked; {cleared} failed sign-ins cleared.")
