"""Importing a roster from CSV (name,email,phone,party_size)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..domain.errors import DomainError, Invalid
from ..domain.models import CrewMember
from .context import Context
from .events import get_event
from .roster import add_patron

COLUMNS = ("name", "email", "phone", "party_size")


@dataclass
class ImportReport:
    accepted: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


def import_csv(
    ctx: Context,
    *,
    by: CrewMember,
    event_id: str,
    rows: Iterable[str],
    progress: Callable[[int], object] = lambda _n: None,
) -> ImportReport:
    """Book every valid row onto the event (see roster.add_patron: one audit entry each).
    Rows that fail are reported with their line number and reason; the rest still land.
    ``progress`` is called with the number of characters read for each row."""
    get_event(ctx, event_id=event_id)
    report = ImportReport()

    def counted() -> Iterable[str]:
        for line in rows:
            progress(len(line.encode()))
            yield line

    reader = csv.DictReader(counted())
    missing = [c for c in ("name", "email") if c not in (reader.fieldnames or [])]
    if missing:
        raise Invalid(f"The CSV header must have name and email (missing: {', '.join(missing)}).")
    for row in reader:
        line = reader.line_num
        try:
            raw_size = (row.get("party_size") or "1").strip()
            if not raw_size.isdigit():
                raise Invalid(f"party_size {raw_size!r} is not a whole number")
            add_patron(
                ctx,
                by=by,
                event_id=event_id,
                name=row.get("name") or "",
                email=row.get("email") or "",
                phone=row.get("phone") or "",
                party_size=int(raw_size),
            )
            report.accepted += 1
        except DomainError as err:
            report.rejected.append((line, err.message))
    return report
