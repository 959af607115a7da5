"""Reminder rules: offsets, which windows a sweep sends, who gets one and what is missing."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from shipcaptaincrew.domain import reminders as rem
from shipcaptaincrew.domain.errors import Invalid
from shipcaptaincrew.domain.models import BookingStatus, EventStatus, WaiverKind
from tests import factories as f


def test_offsets_parse_and_refuse() -> None:
    assert rem.parse_offsets("48h,3h") == (2880, 180)
    assert rem.parse_offsets(" 90m , 2d ") == (2880, 90)
    assert [rem.label(m) for m in rem.parse_offsets("3h,90m")] == ["3h", "90m"]
    for bad in ("48", "0h", "31d", "3h,180m", "1h,2h,3h,4h,5h,6h,7h", "-3h", "3.5h"):
        with pytest.raises(Invalid):
            rem.parse_offsets(bad)


def test_windows_send_the_nearest_open_one_and_mark_all_open() -> None:
    event = f.event_record()
    start = event.starts_at
    offsets = (2880, 180)
    assert rem.windows(event, offsets, set(), start - timedelta(hours=49)) == (None, [])
    assert rem.windows(event, offsets, set(), start - timedelta(hours=48)) == (2880, [2880])
    assert rem.windows(event, offsets, {2880}, start - timedelta(hours=4)) == (None, [])
    assert rem.windows(event, offsets, set(), start - timedelta(hours=1)) == (180, [2880, 180])
    assert rem.windows(event, offsets, set(), start) == (None, [])
    cancelled = dataclasses.replace(event, status=EventStatus.CANCELLED)
    assert rem.windows(cancelled, offsets, set(), start - timedelta(hours=1)) == (None, [])


def test_who_gets_a_reminder_and_what_it_asks() -> None:
    event = dataclasses.replace(f.event_record(), waiver_template_id="wvt_1")
    b = f.booking_record(event, f.patron_record())
    now = event.starts_at - timedelta(hours=3)
    assert rem.missing(event, b) == [rem.WAIVER, rem.BALANCE]
    assert rem.wants_reminder(event, b, now)
    signed = dataclasses.replace(b, waiver_kind=WaiverKind.PAPER)
    paid = dataclasses.replace(signed, amount_paid_cents=b.amount_due_cents, payment_cleared=True)
    assert rem.missing(event, signed) == [rem.BALANCE]
    assert not rem.wants_reminder(event, paid, now)
    for status in (BookingStatus.CANCELLED, BookingStatus.WAITLISTED):
        assert not rem.wants_reminder(event, dataclasses.replace(b, status=status), now)
    assert not rem.wants_reminder(event, dataclasses.replace(b, reminders_stopped_at=now), now)
    assert not rem.wants_reminder(event, b, event.starts_at)
    no_waiver = dataclasses.replace(event, waiver_template_id=None)
    assert rem.missing(no_waiver, b) == [rem.BALANCE]
