"""Request and response models of waiver kiosks and per-seat paper waivers."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from ..domain.kiosk import Kiosk
from .schemas import Out


class KioskOut(Out):
    id: str
    event_id: str
    started_by: str
    started_at: datetime
    expires_at: datetime = Field(description="The end of the day it was started (SCC_TIMEZONE).")
    revoked_at: datetime | None
    revoked_by: str | None

    @classmethod
    def of(cls, k: Kiosk) -> KioskOut:
        return cls(
            id=k.id,
            event_id=k.event_id,
            started_by=k.started_by,
            started_at=k.started_at,
            expires_at=k.expires_at,
            revoked_at=k.revoked_at,
            revoked_by=k.revoked_by,
        )


class KioskStartOut(Out):
    kiosk: KioskOut
    token: str = Field(description="The kiosk's credential, shown only now.")
    url: str = Field(description="Open this on the tablet (after signing crew out there).")


class KioskListOut(Out):
    kiosks: list[KioskOut]
