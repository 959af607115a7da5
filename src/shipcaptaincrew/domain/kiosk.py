"""The waiver kiosk: a shared tablet at the dock that can only search one event's
bookings by surname and sign their seats. Its token is its own kind of credential (not a
crew session); only its SHA-256 is stored. Pure: no I/O."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

IDLE_SECONDS = 60


@dataclass(frozen=True)
class Kiosk:
    id: str
    event_id: str
    token_hash: str
    started_by: str
    started_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    revoked_by: str | None = None

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def expiry(now: datetime, tz: tzinfo) -> datetime:
    """The end of ``now``'s day in the organisation's time zone (its next midnight), UTC."""
    local = now.astimezone(tz)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=tz)
    return midnight.astimezone(UTC)
