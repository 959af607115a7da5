"""Outbox rules: backoff with a cap, giving up, what crew see, error hygiene."""

from __future__ import annotations

from datetime import timedelta

from shipcaptaincrew.domain import outbox as ob
from shipcaptaincrew.domain.models import OutboxMessage
from tests.factories import T0


def test_backoff_doubles_up_to_the_cap() -> None:
    delays = [ob.retry_delay(n).total_seconds() for n in range(1, 10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_gives_up_after_max_attempts() -> None:
    assert ob.next_attempt(1, T0) == T0 + timedelta(seconds=30)
    assert ob.next_attempt(ob.MAX_ATTEMPTS - 1, T0) == T0 + timedelta(seconds=1920)
    assert ob.next_attempt(ob.MAX_ATTEMPTS, T0) is None


def test_short_error_blanks_secrets_and_stays_one_bounded_line() -> None:
    assert ob.short_error("535 bad\n  login for s3cret", "s3cret", "") == "535 bad login for ***"
    long = ob.short_error("x" * 2000)
    assert len(long) == ob.MAX_ERROR
    assert long.endswith("\u2026")


def _m(mid: str, patron: str, status: str, seconds: int) -> OutboxMessage:
    at = T0 + timedelta(seconds=seconds)
    return OutboxMessage(mid, mid, ob.RECEIPT, "a@b.c", {}, at, at, status, patron_id=patron)


def test_latest_status_per_patron() -> None:
    messages = [
        _m("m3", "p1", ob.SENDING, 20),
        _m("m1", "p1", ob.SENT, 0),
        _m("m2", "p2", ob.FAILED, 5),
    ]
    assert ob.latest_by_patron(messages) == {"p1": "queued", "p2": "failed"}
