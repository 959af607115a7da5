"""What every use case gets: the store, the settings and a clock."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from ..config import Settings
from ..domain.errors import StaleWrite
from ..domain.models import OutboxMessage
from ..providers.base import PaymentProvider
from ..storage.base import Store

T = TypeVar("T")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    store: Store
    settings: Settings
    clock: Callable[[], datetime] = utc_now
    # Called with the outbox messages a use case committed, to deliver them now.
    after_commit: Callable[[Sequence[OutboxMessage]], None] = field(default=lambda _m: None)
    # The configured payment providers by name ("stripe", "paypal"); none by default.
    providers: Mapping[str, PaymentProvider] = field(default_factory=dict)

    def now(self) -> datetime:
        return self.clock()


def retry_stale(fn: Callable[[], T], attempts: int = 8) -> T:
    """Run ``fn`` again when another writer changed the record first (optimistic locking)."""
    for attempt in range(attempts):
        try:
            return fn()
        except StaleWrite:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")
