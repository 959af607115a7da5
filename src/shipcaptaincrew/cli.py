"""The ``scc`` command line."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from . import cli_aws, cli_legacy
from .config import Settings
from .domain.errors import DomainError
from .domain.models import SYSTEM, Role

app = typer.Typer(
    help="ShipCaptainCrew: events, rosters, attendance, waivers and payments.",
    no_args_is_help=True,
    add_completion=False,
)


def _context():  # noqa: ANN202 - imported lazily so that `scc --help` stays fast
    from .bootstrap import build_store
    from .services.context import Context

    settings = Settings.from_env()
    return Context(store=build_store(settings), settings=settings)


def _fail(message: str) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(1)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (SCC_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (SCC_PORT).")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the API, guest pages and console with uvicorn."""
    import uvicorn

    settings = Settings.from_env()
    host = host or settings.host
    port = port or settings.port
    os.environ.setdefault(
        "SCC_PUBLIC_URL",
        settings.public_url if "SCC_PUBLIC_URL" in os.environ else f"http://{host}:{port}",
    )
    typer.echo(f"ShipCaptainCrew on http://{host}:{port}/  (API docs at /docs)")
    uvicorn.run(
        "shipcaptaincrew.web.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


@app.command("init-db")
def init_db() -> None:
    """Create or migrate the database schema."""
    ctx = _context()
    ctx.store.init_schema()
    typer.echo("Database is up to date.")


@app.command("create-user")
def create_user(
    email: Annotated[str, typer.Option(help="Sign-in email.")],
    name: Annotated[str, typer.Option(help="Full name.")],
    role: Annotated[Role, typer.Option(help="admin, captain or crew.")] = Role.CREW,
) -> None:
    """Add a crew account. The password comes from SCC_NEW_USER_PASSWORD or a prompt."""
    from .services import auth

    password = os.environ.get("SCC_NEW_USER_PASSWORD") or typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    ctx = _context()
    try:
        member = auth.create_crew(
            ctx, actor=SYSTEM, name=name, email=email, role=role, password=password
        )
    except DomainError as err:
        raise _fail(err.message) from None
    typer.echo(f"Created {member.role.value} {member.email} ({member.id}).")


@app.command()
def demo() -> None:
    """Load a demo organisation (3 events, ~40 patrons) unless one is loaded already."""
    from .demo import DEMO_ADMIN_EMAIL, DEMO_PASSWORD, demo_guest_link, load_demo

    ctx = _context()
    loaded = load_demo(ctx)
    typer.echo("Demo data loaded." if loaded else "Demo data already present.")
    typer.echo(f"Demo admin: {DEMO_ADMIN_EMAIL}  password: {DEMO_PASSWORD}")
    typer.echo(f"Demo guest link (sign a waiver): {demo_guest_link(ctx)}")


@app.command("import-roster")
def import_roster(
    event_id: str,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
) -> None:
    """Add patrons from a CSV with columns name,email,phone,party_size."""
    from .services.imports import import_csv

    ctx = _context()
    admin = _cli_actor(ctx)
    with (
        typer.progressbar(length=file.stat().st_size, label="Importing", file=None) as bar,
        file.open(newline="", encoding="utf-8-sig") as fh,
    ):
        try:
            report = import_csv(ctx, by=admin, event_id=event_id, rows=fh, progress=bar.update)
        except DomainError as err:
            raise _fail(err.message) from None
    typer.echo(f"{report.accepted} rows accepted, {len(report.rejected)} rejected.")
    for line, reason in report.rejected:
        typer.echo(f"  line {line}: {reason}")
    if report.rejected:
        raise typer.Exit(2)


def _cli_actor(ctx):  # noqa: ANN001, ANN202
    """The first admin account, on whose behalf command-line changes are recorded."""
    admins = [c for c in ctx.store.list_crew() if c.role == Role.ADMIN and c.active]
    if not admins:
        raise _fail("Create an admin first: scc create-user --role admin ...")
    return admins[0]


@app.command()
def export(
    out: Annotated[Path, typer.Option(help="Folder for payments.csv and roster.csv.")] = Path(
        "export"
    ),
    event_id: Annotated[str | None, typer.Option(help="Only this event.")] = None,
) -> None:
    """Write payments and rosters as CSV files."""
    from .services.exports import export_csv

    ctx = _context()
    out.mkdir(parents=True, exist_ok=True)
    counts = export_csv(ctx, folder=out, event_id=event_id)
    typer.echo(
        f"Wrote {counts['payments']} payments to {out / 'payments.csv'} and "
        f"{counts['bookings']} roster rows to {out / 'roster.csv'}."
    )


app.registered_commands += cli_aws.app.registered_commands  # scc package, deploy-console
app.registered_commands += cli_legacy.app.registered_commands  # scc import-legacy

from .cli_outbox import outbox_app  # noqa: E402

app.add_typer(outbox_app, name="outbox")

if __name__ == "__main__":  # pragma: no cover
    app()
