"""Importing a roster from CSV (name,email,phone,party_size; header names in any case).

The file may be UTF-8, with or without the byte order mark Excel writes, or Excel's
Windows-1252; anything else is refused before a row is read."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..domain.errors import DomainError, Invalid
from ..domain.models import BookingStatus, CrewMember
from .context import Context
from .events import get_event
from .roster import add_patron

COLUMNS = ("name", "email", "phone", "party_size")


@dataclass
class ImportReport:
    booked: int = 0
    waitlisted: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.booked + self.waitlisted

    def summary(self) -> str:
        return f"{self.booked} booked, {self.waitlisted} waitlisted, {len(self.rejected)} rejected"


def decode_csv(data: bytes, *, name: str = "The file") -> str:
    """The text of a CSV file: UTF-8 (a leading byte order mark dropped), else Windows-1252.
    Raises Invalid for UTF-16/32 or binary files, which neither reads correctly."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise Invalid(
            f"{name} is not UTF-8 or Windows-1252 text (UTF-16 or binary?): "
            "save it as CSV UTF-8 and import it again."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise Invalid(
            f"{name} is neither UTF-8 nor Windows-1252 text: "
            "save it as CSV UTF-8 and import it again."
        ) from None


def import_csv(
    ctx: Context,
    *,
    by: CrewMember,
    event_id: str,
    rows: Iterable[str],
    progress: Callable[[int], object] = lambda _n: None,
) -> ImportReport:
    """Book every valid row onto the event (see roster.add_patron: one audit entry each;
    a party that does not fit is waitlisted). Rows that fail are reported with their line
    number and reason; the rest still land. ``progress`` is called with the number of
    bytes (UTF-8) read for each row."""
    get_event(ctx, event_id=event_id)
    report = ImportReport()

    def counted() -> Iterable[str]:
        for line in rows:
            progress(len(line.encode()))
            yield line

    reader = csv.DictReader(counted())
    reader.fieldnames = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("name", "email") if c not in reader.fieldnames]
    if missing:
        raise Invalid(f"The CSV header must have name and email (missing: {', '.join(missing)}).")
    for row in reader:
        line = reader.line_num
        try:
            raw_size = (row.get("party_size") or "1").strip()
            if not raw_size.isdigit():
                raise Invalid(f"party_size {raw_size!r} is not a whole number")
            booking = add_patron(
                ctx,
                by=by,
                event_id=event_id,
                name=row.get("name") or "",
                email=row.get("email") or "",
                phone=row.get("phone") or "",
                party_size=int(raw_size),
            )
            if booking.status == BookingStatus.WAITLISTED:
                report.waitlisted += 1
            else:
                report.booked += 1
        except DomainError as err:
            report.rejected.append((line, err.message))
    return report
