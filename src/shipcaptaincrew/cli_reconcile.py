"""``scc reconcile import FILE.csv``: a provider's export compared with the ledger."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from .cli_errors import OperatorError
from .config import Settings
from .domain.errors import DomainError
from .domain.money import format_money

reconcile_app = typer.Typer(
    help="Reconcile the ledger with Stripe's and PayPal's own records.", no_args_is_help=True
)


def _context():  # noqa: ANN202 - imported lazily so that `scc --help` stays fast
    from .bootstrap import build_store
    from .services.context import Context

    settings = Settings.from_env()
    return Context(store=build_store(settings), settings=settings)


def _when(text: str | None, name: str) -> datetime | None:
    if not text:
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise OperatorError(f"--{name} must be a date like 2026-07-01") from None
    return at if at.tzinfo else at.replace(tzinfo=Settings.from_env().tz)


@reconcile_app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    since: Annotated[str | None, typer.Option(help="Only our entries from this date.")] = None,
    until: Annotated[str | None, typer.Option(help="...and before this date.")] = None,
) -> None:
    """Compare a Stripe export (payments, refunds or the Balance report) or a PayPal
    activity download with the ledger: matched, missing on our side, missing on theirs,
    amount differences. Changes nothing. Exit codes: 0 everything matches; 1 differences
    (each listed); 2 the file is neither."""
    from .services.reconciliation import import_statement

    ctx = _context()
    try:
        text = file.read_bytes().decode("utf-8-sig")
        report = import_statement(
            ctx, text=text, since=_when(since, "since"), until=_when(until, "until")
        )
    except UnicodeDecodeError:
        raise OperatorError(f"{file.name} is not a UTF-8 CSV file.") from None
    except DomainError as err:
        raise OperatorError(f"{file.name}: {err.message}") from None
    typer.echo(
        f"{len(report.matched)} matched, {len(report.missing_ours)} missing on our side, "
        f"{len(report.missing_theirs)} missing on theirs, "
        f"{len(report.differences)} amount differences."
    )
    for row in report.missing_ours:
        money = format_money(row.amount_cents, row.currency)
        typer.echo(f"  missing on our side: {row.provider} {row.reference} {money}")
    for p in report.missing_theirs:
        money = format_money(p.amount_cents, p.currency)
        typer.echo(
            f"  missing on theirs: {p.method.value} {p.reference} {money} "
            f"(event {p.event_id}, patron {p.patron_id}, receipt {p.receipt_no})"
        )
    for row, ours in report.differences:
        typer.echo(
            f"  amount differs: {row.provider} {row.reference} theirs "
            f"{format_money(row.amount_cents, row.currency)}, ours "
            f"{format_money(ours, row.currency)}"
        )
    if report.missing_ours or report.missing_theirs or report.differences:
        raise typer.Exit(1)
