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


def _msg(status: str, due_in_s: int, attempts: int = 1, created_s: int = 0) -> OutboxMessage:
    return OutboxMessage(
        id=f"msg_{status}_{due_in_s}_{created_s}",
        dedup_key="k",
        kind=ob.RECEIPT,
        to="a@example.org",
        payload={},
        created_at=T0 + timedelta(seconds=created_s),
        next_attempt_at=T0 + timedelta(seconds=due_in_s),
        status=status,
        attempts=attempts,
    )


def test_due_claim_order_and_claim() -> None:
    due = [_msg(ob.QUEUED, 0), _msg(ob.SENDING, -5)]
    not_due = [_msg(ob.QUEUED, 10), _msg(ob.SENT, -5), _msg(ob.FAILED, -5)]
    assert [ob.is_due(m, T0) for m in due + not_due] == [True, True, False, False, False]
    same_time = [_msg(ob.QUEUED, 0, created_s=9), _msg(ob.QUEUED, 0, created_s=1)]
    ordered = sorted([*due, *same_time], key=ob.claim_order)
    assert [m.id for m in ordered] == [
        "msg_sending_-5_0",
        "msg_queued_0_0",
        "msg_queued_0_1",
        "msg_queued_0_9",
    ]
    lease = T0 + ob.LEASE
    held = ob.claimed(due[0], lease)
    assert (held.status, held.attempts, held.next_attempt_at) == (ob.SENDING, 2, lease)


def test_only_failed_or_queued_messages_are_requeued() -> None:
    assert ob.REQUEUEABLE == (ob.QUEUED, ob.FAILED)
    failed = _msg(ob.FAILED, -60, attempts=8)
    again = ob.requeued(failed, T0)
    assert (again.status, again.attempts, again.next_attempt_at) == (ob.QUEUED, 0, T0)


def test_a_patrons_latest_message_is_the_newest_then_the_greatest_id() -> None:
    t0 = T0
    later = t0 + timedelta(seconds=1)
    rows = [
        ("pat_a", later, "msg_1", "sent"),
        ("pat_a", t0, "msg_9", "failed"),  # a greater id, but older
        ("pat_b", t0, "msg_2", "sent"),
        ("pat_b", t0, "msg_3", "queued"),  # same time: the greater id is the latest
        (None, later, "msg_4", "failed"),  # no patron: not on any card
        ("pat_c", t0, "msg_5", "sending"),
    ]
    assert ob.latest_statuses(rows) == {"pat_a": "sent", "pat_b": "queued", "pat_c": "sending"}
    assert ob.latest_statuses(reversed(rows)) == ob.latest_statuses(rows)
    assert ob.latest_statuses([]) == {}
    assert ob.RECENCY == ("created_at", "id")
