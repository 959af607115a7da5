"""When an action really happened: crew phones queue actions while offline and send them
later with the time they were taken (``occurred_at``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from .bookings import check_time_range
from .errors import Invalid

# A phone's clock may run a little ahead of the server's; a time this close to "now" is
# taken as now rather than refused as being in the future.
CLOCK_SKEW = timedelta(minutes=2)


def occurred_time(value: datetime | None, *, now: datetime, window_hours: int) -> datetime:
    """The time an action happened: ``now`` when not given; else ``value`` in UTC, which
    may not be in the future (beyond the clock skew) nor older than ``window_hours``."""
    if value is None:
        return now
    check_time_range(value, "occurred_at")
    if value.tzinfo is None:
        raise Invalid("occurred_at needs a UTC offset, e.g. 2026-07-01T09:00:00-04:00.")
    at = value.astimezone(UTC)
    if at > now + CLOCK_SKEW:
        raise Invalid(
            "occurred_at is in the future.",
            {"occurred_at": at.isoformat(), "received_at": now.isoformat()},
        )
    if at < now - timedelta(hours=window_hours):
        raise Invalid(
            f"occurred_at is more than {window_hours} hours ago: an action taken offline "
            "must be sent within that time.",
            {"occurred_at": at.isoformat(), "received_at": now.isoformat()},
        )
    return min(at, now)


def times(at: datetime, now: datetime) -> dict[str, str]:
    """Audit data for an action sent later: when it happened and when it was received."""
    return {"occurred_at": at.isoformat(), "received_at": now.isoformat()}
