from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from shipcaptaincrew.domain.errors import Invalid
from shipcaptaincrew.domain.occurred import occurred_time

NOW = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


def test_no_time_is_now_and_a_time_is_kept_in_utc() -> None:
    assert occurred_time(None, now=NOW, window_hours=24) == NOW
    local = datetime(2026, 7, 1, 8, 0, tzinfo=timezone(timedelta(hours=-4)))
    assert occurred_time(local, now=NOW, window_hours=24) == datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    edge = NOW - timedelta(hours=24)
    assert occurred_time(edge, now=NOW, window_hours=24) == edge


def test_a_clock_a_little_ahead_is_taken_as_now() -> None:
    assert occurred_time(NOW + timedelta(seconds=90), now=NOW, window_hours=24) == NOW


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (NOW + timedelta(minutes=3), "occurred_at is in the future."),
        (
            NOW - timedelta(hours=2, seconds=1),
            "occurred_at is more than 2 hours ago: an action taken offline must be sent "
            "within that time.",
        ),
        (datetime(1, 1, 1, tzinfo=UTC), "occurred_at must be between 2000 and 2099."),
        (
            datetime(2026, 7, 1, 11, 0),
            "occurred_at needs a UTC offset, e.g. 2026-07-01T09:00:00-04:00.",
        ),
    ],
)
def test_refused(value: datetime, message: str) -> None:
    with pytest.raises(Invalid) as err:
        occurred_time(value, now=NOW, window_hours=2)
    assert err.value.message == message
