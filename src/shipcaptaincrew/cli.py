"""The ``scc`` command line."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from . import __version__, cli_aws, cli_legacy
from .cli_errors import USAGE, OperatorError, OperatorGroup
from .config import Settings
from .domain.errors import DomainError
from .domain.models import SYSTEM, Role

app = typer.Typer(
    cls=OperatorGroup,
    help="ShipCaptainCrew: events, rosters, attendance, waivers and payments.",
    epilog="Exit codes: 0 done, 1 the work failed, 2 usage or configuration.",
    no_args_is_help=True,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"shipcaptaincrew {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback when a command fails.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """A failing command prints one line saying what to do; --debug shows the traceback."""
    ctx.meta["scc_debug"] = debug


def _context():  # noqa: ANN202 - imported lazily so that `scc --help` stays fast
    from .bootstrap import build_store
    from .services.context import Context

    settings = Settings.from_env()
    return Context(store=build_store(settings), settings=settings)


def _fail(message: str) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(1)


def _check_port(host: str, port: int) -> None:
    """Bind the address as uvicorn will (SO_REUSEADDR) and let go: taken means in use."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as err:
            raise OperatorError(
                f"Cannot listen on {host}:{port} ({err.strerror}): another program has the "
                "port; stop it or choose another with --port or SCC_PORT."
            ) from None


def _check_store(ctx) -> None:  # noqa: ANN001
    """The database answers a real query and its schema is this version's."""
    from .services.health import check_ready_to_serve

    # Unreachable or without a schema: raises, and the operator error explains it.
    if not check_ready_to_serve(ctx):
        raise OperatorError(
            "The database schema is older than this version: run scc init-db to migrate it."
        )


def _warn_published_demo_password(ctx) -> None:  # noqa: ANN001
    """One loud line when a demo account still signs in with the published password on a
    public (https) address."""
    if not ctx.settings.https:
        return
    from .demo import DEMO_PASSWORD
    from .services.demo_accounts import demo_accounts_with_password

    found = demo_accounts_with_password(ctx, password=DEMO_PASSWORD)
    if found:
        typer.secho(
            f"WARNING: {len(found)} demo account(s) ({found[0].email}, ...) sign in with the "
            f"published demo password at {ctx.settings.public_url}: run scc demo --remove.",
            fg=typer.colors.RED,
            bold=True,
            err=True,
        )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (SCC_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (SCC_PORT).", min=1, max=65535)] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1)] = 1,
) -> None:
    """Serve the API, guest pages and console with uvicorn.

    Refuses to start when the database cannot be reached, its schema is behind (run
    scc init-db) or the port is taken."""
    import uvicorn

    ctx = _context()
    try:
        _check_store(ctx)
        _warn_published_demo_password(ctx)
    finally:
        ctx.store.close()
    settings = ctx.settings
    host = host or settings.host
    port = port or settings.port
    _check_port(host, port)
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
        timeout_graceful_shutdown=5,  # live-sync streams stay open: do not wait for them
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
def demo(
    remove: Annotated[
        bool,
        typer.Option(
            "--remove",
            help="Delete the demo accounts, the events they created and their patrons.",
        ),
    ] = False,
) -> None:
    """Load a demo organisation (3 events, ~40 patrons) unless one is loaded already;
    with --remove, delete it (never anything else)."""
    from .demo import DEMO_ADMIN_EMAIL, DEMO_PASSWORD, demo_guest_link, load_demo

    ctx = _context()
    if remove:
        from .services.demo_accounts import remove_demo

        done = remove_demo(ctx)
        typer.echo(
            f"Removed the demo: {done.accounts} accounts, {done.events} events, "
            f"{done.patrons} patrons."
        )
        for title in done.kept:
            typer.echo(f"  kept {title!r}: your own crew changed it")
        return
    loaded = load_demo(ctx)
    typer.echo("Demo data loaded." if loaded else "Demo data already present.")
    typer.echo(f"Demo admin: {DEMO_ADMIN_EMAIL}  password: {DEMO_PASSWORD}")
    typer.echo(f"Demo guest link (sign a waiver): {demo_guest_link(ctx)}")


@app.command("import-roster")
def import_roster(
    event_id: str,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
) -> None:
    """Add patrons from a CSV with columns name,email,phone,party_size.

    Header names in any case; UTF-8 with or without BOM, or Windows-1252. Exit codes: 0
    every row booked or waitlisted; 1 some rows rejected (the others landed; each is
    listed); 2 nothing imported: unknown event, no admin, or not a CSV of that shape."""
    from .services.imports import decode_csv, import_csv

    try:
        text = decode_csv(file.read_bytes(), name=file.name)
    except DomainError as err:
        raise OperatorError(err.message) from None
    ctx = _context()
    admin = _cli_actor(ctx)
    with typer.progressbar(length=len(text.encode()), label="Importing", file=None) as bar:
        try:
            report = import_csv(
                ctx,
                by=admin,
                event_id=event_id,
                rows=text.splitlines(keepends=True),
                progress=bar.update,
            )
        except DomainError as err:
            raise OperatorError(err.message) from None
    typer.echo(f"{report.summary()}.")
    for line, reason in report.rejected:
        typer.echo(f"  line {line}: {reason}")
    if report.rejected:
        raise typer.Exit(1)


def _cli_actor(ctx):  # noqa: ANN001, ANN202
    """The first admin account, on whose behalf command-line changes are recorded."""
    admins = [c for c in ctx.store.list_crew() if c.role == Role.ADMIN and c.active]
    if not admins:
        raise OperatorError("Create an admin first: scc create-user --role admin ...", USAGE)
    return admins[0]


@app.command()
def export(
    out: Annotated[Path, typer.Option(help="Folder for payments.csv and roster.csv.")] = Path(
        "export"
    ),
    event_id: Annotated[str | None, typer.Option(help="Only this event.")] = None,
) -> None:
    """Write payments and rosters as CSV files.

    The files are 0600, in a folder made 0700. Cells that start like a formula get a
    leading ' so a spreadsheet shows them as text. An unknown --event-id exits 2."""
    from .services.exports import export_csv

    ctx = _context()
    counts = export_csv(ctx, folder=out, event_id=event_id)
    typer.echo(
        f"Wrote {counts['payments']} payments to {out / 'payments.csv'} and "
        f"{counts['bookings']} roster rows to {out / 'roster.csv'}."
    )


app.registered_commands += cli_aws.app.registered_commands  # scc package, deploy-console
app.registered_commands += cli_legacy.app.registered_commands  # scc import-legacy

from .cli_outbox import outbox_app  # noqa: E402
from .cli_user import user_app  # noqa: E402

app.add_typer(outbox_app, name="outbox")
app.add_typer(user_app, name="user")

from .cli_reconcile import reconcile_app  # noqa: E402

app.add_typer(reconcile_app, name="reconcile")

if __name__ == "__main__":  # pragma: no cover
    app()
