"""``scc outbox``: deliver, list and retry patron emails."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from .config import Settings
from .domain import outbox as ob
from .domain.errors import DomainError

outbox_app = typer.Typer(
    help="Patron emails: deliver what is due, list, retry.", no_args_is_help=True
)


def _context():  # noqa: ANN202 - imported lazily so that `scc --help` stays fast
    from .bootstrap import build_providers, build_store
    from .services.context import Context

    settings = Settings.from_env()  # providers: a settlement plan it finishes may refund
    return Context(
        store=build_store(settings), settings=settings, providers=build_providers(settings)
    )


@outbox_app.command("run")
def run(
    loop: Annotated[bool, typer.Option(help="Keep delivering until interrupted.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between rounds with --loop.")] = 10,
    limit: Annotated[int, typer.Option(help="Messages per round.")] = 100,
) -> None:
    """Queue the reminders that are due, then deliver the messages that are due (new ones and
    retries whose time has come)."""
    from .bootstrap import build_sender
    from .services.reminders import sweep
    from .web.logs import configure

    ctx = _context()
    configure(ctx.settings.log_format)
    sender = build_sender(ctx.settings)
    while True:
        reminders, report = sweep(ctx, sender, limit=limit)
        if reminders.queued:
            typer.echo(f"{reminders.queued} reminders queued for {reminders.events} events")
        if report.claimed or not loop:
            typer.echo(
                f"{report.sent} sent, {report.retrying} to retry, {report.failed} failed"
                + (f", {report.lost} taken over" if report.lost else "")
            )
        if not loop:
            return
        if report.claimed < limit:  # caught up: wait; otherwise go straight on
            try:
                time.sleep(interval)
            except KeyboardInterrupt:
                return


def _load_renderer() -> None:
    """Draw one receipt now, while no message waits: the first one loads fpdf2 (about half a
    second of CPU), which would otherwise delay the first receipt after a start."""
    from datetime import UTC, datetime

    from .receipts.pdf import ReceiptData, render_receipt

    at = datetime.now(UTC)
    render_receipt(ReceiptData("", 0, "", "", "", at, 0, "USD", "cash", "", "", at))


@outbox_app.command("follow")
def follow(
    every: Annotated[float, typer.Option(help="Seconds between sweeps for what is due.")] = 30,
) -> None:
    """Deliver the messages whose ids arrive on standard input (a line of ids each) as they
    arrive, and every --every seconds the reminders and messages due, until the input ends.
    ``scc serve`` runs one beside each worker, at a lower CPU priority than the requests."""
    import logging
    import os
    import queue
    import sys
    import threading

    from .bootstrap import build_sender
    from .services.outbox import deliver_due
    from .services.reminders import sweep
    from .web.logs import configure

    # Below the requests, not far below: on a busy machine the receipts still go out soon.
    os.nice(5)
    ctx = _context()
    configure(ctx.settings.log_format)
    log = logging.getLogger("shipcaptaincrew.outbox")
    sender = build_sender(ctx.settings)
    _load_renderer()
    arrived: queue.Queue[list[str] | None] = queue.Queue()

    def read() -> None:
        for line in sys.stdin:
            arrived.put(line.split())
        arrived.put(None)

    def sweep_now() -> float:
        """Queue the reminders due and deliver what is due (also what an earlier delivery
        process was handed but never sent); when to sweep next."""
        try:
            sweep(ctx, sender)
        except Exception:
            log.exception("delivery failed; the messages stay queued")
        return time.monotonic() + every

    threading.Thread(target=read, name="scc-mail-input", daemon=True).start()
    next_sweep = sweep_now()
    done = False
    while not done:
        try:
            got = arrived.get(timeout=max(0.0, next_sweep - time.monotonic()))
        except queue.Empty:
            got = []
        ids: list[str] = []
        while got is not None:  # everything handed over so far, in one claim
            ids += got
            try:
                got = arrived.get_nowait()
            except queue.Empty:
                break
        done = got is None
        try:
            if ids:
                deliver_due(ctx, sender, ids=ids, limit=len(ids))
        except Exception:
            log.exception("delivery failed; the messages stay queued")
        if time.monotonic() >= next_sweep and not done:
            next_sweep = sweep_now()
    ctx.store.close()


@outbox_app.command("list")
def list_messages(
    status: Annotated[str | None, typer.Option(help="queued, sending, sent or failed.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
) -> None:
    """Show messages, newest first."""
    if status is not None and status not in ob.STATUSES:
        typer.secho("--status must be queued, sending, sent or failed", fg="red", err=True)
        raise typer.Exit(2)
    ctx = _context()
    for m in ctx.store.list_outbox(status=status, limit=limit):
        when = (m.sent_at or m.next_attempt_at).isoformat(timespec="seconds")
        line = f"{m.id}  {m.status:<7}  {m.attempts}  {when}  {m.kind}  {m.to}"
        typer.echo(line + (f"  [{m.last_error}]" if m.last_error else ""))


@outbox_app.command("retry")
def retry(message_id: str) -> None:
    """Queue a failed message again, for delivery at the next run."""
    from .services.outbox import retry as requeue

    ctx = _context()
    try:
        m = requeue(ctx, by=None, message_id=message_id)
    except DomainError as err:
        typer.secho(err.message, fg="red", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{m.id} queued for {m.to}.")
