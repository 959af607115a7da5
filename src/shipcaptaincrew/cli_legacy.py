"""``scc import-legacy``: bring the previous system's events and rosters into this store."""

from __future__ import annotations

import gzip
import json
import sys
import tomllib
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from .config import Settings, SettingsError
from .domain.errors import DomainError, Invalid
from .domain.legacy import LegacyMapping, items_from_text, mapping_from_dict, plain_item
from .domain.legacy_events import LegacyEvent, legacy_event
from .domain.money import format_money

app = typer.Typer()


def _fail(message: str) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(2)


def _mapping(path: Path | None) -> LegacyMapping:
    if path is None:
        return LegacyMapping()
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as err:
        raise _fail(f"Cannot read the mapping {path}: {err}") from None
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as err:
        raise _fail(f"The mapping {path} is not valid {path.suffix[1:].upper()}: {err}") from None
    if not isinstance(data, dict):
        raise _fail(f"The mapping {path} must be a table of field names.")
    try:
        return mapping_from_dict(data)
    except Invalid as err:
        raise _fail(f"{path}: {err.message}") from None


def _raw_items(
    file: Path | None, table: str | None, region: str | None, endpoint_url: str | None
) -> list[tuple[str, Any]]:
    if (file is None) == (table is None):
        raise _fail("Give either --table NAME or --file PATH.")
    if file is not None:
        try:
            data = file.read_bytes()
            text = (gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode("utf-8")
        except (OSError, UnicodeDecodeError, gzip.BadGzipFile, EOFError) as err:
            raise _fail(f"Cannot read {file}: {err}") from None
        return list(items_from_text(text))
    from .bootstrap import scan_legacy_table as scan_items
    from .domain.legacy import SourceError

    try:
        return [(f"item {n}", item) for n, item in enumerate(scan_items(
            str(table), region=region, endpoint_url=endpoint_url), 1)]  # fmt: skip
    except SourceError as err:
        raise _fail(str(err)) from None


def _events(
    raw: list[tuple[str, Any]], mapping: LegacyMapping, tz: ZoneInfo
) -> tuple[list[LegacyEvent], list[tuple[str, str]]]:
    """The events that can be read, and (where, reason) for every item that cannot."""
    events: list[LegacyEvent] = []
    unreadable: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for where, item in raw:
        try:
            if isinstance(item, Invalid):
                raise item
            event = legacy_event(plain_item(item), mapping, tz)
        except DomainError as err:
            unreadable.append((where, err.message))
            continue
        if event.legacy_id in seen:
            unreadable.append((where, f"event {event.legacy_id} is also {seen[event.legacy_id]}"))
            continue
        seen[event.legacy_id] = where
        events.append(event)
    return events, unreadable


@app.command("import-legacy")
def import_legacy(
    table: Annotated[str | None, typer.Option(help="Read this DynamoDB table (Scan only).")] = None,
    file: Annotated[
        Path | None,
        typer.Option(help="Read `aws dynamodb scan --output json` output or an export (.gz ok)."),
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="TOML or JSON file naming the attributes.")
    ] = None,
    region: Annotated[str | None, typer.Option(help="The table's AWS region.")] = None,
    endpoint_url: Annotated[str | None, typer.Option(help="DynamoDB endpoint (testing).")] = None,
    dry_run: Annotated[bool, typer.Option(help="Show what would be created; write nothing.")] = (
        False
    ),
    send_booking_emails: Annotated[
        bool, typer.Option(help="Email each new booking its guest link (off: import silently).")
    ] = False,
    debug: Annotated[bool, typer.Option(help="Show the full error of a failing store.")] = False,
) -> None:
    """Import events, patrons and bookings (check-ins, waivers, payments) from the previous
    system's one-item-per-event DynamoDB table. Safe to run again: nothing is imported twice."""
    from .bootstrap import build_store
    from .services.context import Context
    from .services.legacy_import import import_legacy as run

    the_mapping = _mapping(mapping)
    try:
        settings = Settings.from_env()
        tz = ZoneInfo(the_mapping.timezone or settings.timezone)
    except SettingsError as err:
        raise _fail(str(err)) from None
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail(f"Unknown timezone {the_mapping.timezone!r} in the mapping.") from None
    events, unreadable = _events(_raw_items(file, table, region, endpoint_url), the_mapping, tz)
    ctx = Context(store=build_store(settings), settings=settings)
    try:
        if sys.stderr.isatty():
            with typer.progressbar(length=len(events), label="Importing", file=sys.stderr) as bar:
                report = run(
                    ctx,
                    events=events,
                    dry_run=dry_run,
                    send_booking_emails=send_booking_emails,
                    progress=bar.update,
                )
        else:
            report = run(
                ctx, events=events, dry_run=dry_run, send_booking_emails=send_booking_emails
            )
    except Exception as err:  # the store itself failed: one line unless --debug
        if debug:
            raise
        first = (str(err).splitlines() or [""])[0]
        raise _fail(
            f"The store failed ({type(err).__name__}: {first}). Has `scc init-db` been run? "
            "(--debug for details)"
        ) from None
    finally:
        ctx.store.close()
    _print(report, unreadable, settings.currency)
    if unreadable or report.problems:
        raise typer.Exit(2)


def _print(report: Any, unreadable: list[tuple[str, str]], currency: str) -> None:
    if report.dry_run:
        typer.echo("Dry run: nothing is written.")
    for line in report.lines:
        typer.echo(f"  {line}")
    if unreadable:
        typer.echo(f"Could not read {len(unreadable)} item(s):")
        for where, reason in unreadable:
            typer.echo(f"  {where}: {reason}")
    if report.problems:
        typer.echo(f"{len(report.problems)} participant record(s) not (fully) imported:")
        for where, reason in report.problems:
            typer.echo(f"  {where}: {reason}")
    if report.no_email:
        typer.echo(
            f"{len(report.no_email)} participant(s) without an email, booked under a "
            "placeholder address that never receives mail:"
        )
        for line in report.no_email:
            typer.echo(f"  {line}")
    verb = "Would create" if report.dry_run else "Created"
    typer.echo(
        f"{verb} {report.events} events, {report.bookings} bookings, {report.check_ins} "
        f"check-ins, {report.waivers} paper waivers and {report.payments} imported payments "
        f"({format_money(report.payments_cents, currency)}); "
        f"{report.already} events were imported before."
    )
