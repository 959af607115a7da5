"""The store contract on SQLite (a real file)."""

import pytest

from shipcaptaincrew.storage.sql import SqlStore
from tests.storage.contract import StoreContract


class TestSqliteStore(StoreContract):
    @pytest.fixture
    def store(self, sqlite_store: SqlStore) -> SqlStore:
        return sqlite_store


def test_stored_times_are_read_back_as_the_aware_utc_times_written() -> None:
    """A time is written as SQLite's DATETIME text in UTC (SQLAlchemy's), and that text,
    parsed with the UTC offset appended, is the time written (microseconds, the first and
    last days of the calendar); text with an offset of its own (never written) has it
    replaced by UTC, as the store always did."""
    from datetime import UTC, datetime, timedelta, timezone

    from shipcaptaincrew.storage.schema import _sqlite_text, utc_from_text

    east = timezone(timedelta(hours=5, minutes=30))
    for written in (
        datetime(2026, 7, 1, 12, 0, tzinfo=UTC),
        datetime(2026, 7, 1, 23, 59, 59, 999999, tzinfo=east),
        datetime(1, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
    ):
        text = _sqlite_text(written)
        naive = written.astimezone(UTC).replace(tzinfo=None)
        assert text == naive.isoformat(" ", "microseconds")  # as SQLAlchemy's DATETIME
        read = utc_from_text(text)
        assert (read, read.tzinfo, read.utcoffset()) == (written, UTC, timedelta(0))
    assert utc_from_text("2026-07-01 12:00:00+05:00") == datetime(2026, 7, 1, 12, tzinfo=UTC)
