"""The store contract on PostgreSQL (CI's server; skipped when SCC_TEST_POSTGRES_URL is unset)."""

import dataclasses
from typing import Any

import pytest

from shipcaptaincrew.storage.sql import SqlStore
from tests.storage.contract import StoreContract


class TestPostgresStore(StoreContract):
    @pytest.fixture
    def store(self, pg_store: SqlStore) -> SqlStore:
        return pg_store


def _end_other_connections(store: SqlStore) -> int:
    """Ends, from another connection, every server connection of the store's database but
    that one (as a server restart or an idle timeout would)."""
    import psycopg

    url = store.engine.url.set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_connection_that_lay_idle_is_checked_before_use(
    pg_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pooled connection is pinged only when it has lain idle past PING_IDLE_S: one
    ended while idle is replaced before a write meets it; one just used is not pinged
    (the write fails, and the pool lets the connection go)."""
    import sqlalchemy as sa

    from shipcaptaincrew.storage import sql_base
    from tests import factories as f

    first, second, third = (f.event_record() for _ in range(3))
    pg_store.add_event(first, f.audit_entry("event.created", first.id))  # one in the pool
    assert _end_other_connections(pg_store) == 1
    monkeypatch.setattr(sql_base, "PING_IDLE_S", 3600.0)  # "just used": not pinged
    with pytest.raises(sa.exc.OperationalError):
        pg_store.add_event(second, f.audit_entry("event.created", second.id))
    pg_store.add_event(second, f.audit_entry("event.created", second.id))

    assert _end_other_connections(pg_store) == 1
    monkeypatch.setattr(sql_base, "PING_IDLE_S", 0.0)  # idle: pinged, found gone, replaced
    pg_store.add_event(third, f.audit_entry("event.created", third.id))
    assert [pg_store.get_event(e.id) for e in (first, second, third)] == [first, second, third]


def test_a_read_that_meets_a_dropped_connection_is_read_again(
    pg_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read on the driver that meets a connection the server ended (within the second
    a connection is not pinged) is read again through SQLAlchemy on a fresh one."""
    from shipcaptaincrew.storage import sql_base
    from tests import factories as f

    monkeypatch.setattr(sql_base, "PING_IDLE_S", 3600.0)

    event = f.event_record()
    pg_store.add_event(event, f.audit_entry("event.created", event.id))
    pg_store.plain_at_first_sight = True
    assert pg_store.get_event(event.id) == event
    assert _end_other_connections(pg_store) == 1
    assert pg_store.get_event(event.id) == event


def _sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL of every statement psycopg sends from now on (BEGIN and COMMIT included:
    psycopg sends those itself, outside ``Cursor.execute``)."""
    import psycopg

    sent: list[str] = []
    execute = psycopg.Cursor.execute
    command = psycopg.Connection._exec_command  # noqa: SLF001

    def recorded(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(str(query))
        return execute(self, query, *args, **kwargs)

    def commanded(self: Any, command_: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(command_.decode() if isinstance(command_, bytes) else str(command_))
        return command(self, command_, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", recorded)
    monkeypatch.setattr(psycopg.Connection, "_exec_command", commanded)
    return sent


def test_a_booking_change_and_the_rows_it_brings_are_one_statement(
    pg_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A check-in's write (booking and audit entry) and a payment's (booking, receipt
    number, payment, audit entries, receipt email) are each one statement in autocommit:
    no BEGIN, no COMMIT."""
    from shipcaptaincrew.storage.base import PaymentWrite
    from tests import factories as f
    from tests.storage.contract import T0, _event_with_booking

    event, patron, booking = _event_with_booking(pg_store)
    sent = _sent(monkeypatch)
    checked = dataclasses.replace(booking, checked_in_at=T0, checked_in_by="crw_1")
    pg_store.update_booking(checked, 1, f.audit_entry("attendance.checked_in"))
    payment = f.payment_record(checked, 4500, key="k-1")
    message = f.receipt_message(payment, patron.email)
    entries = [f.audit_entry("payment.logged"), f.audit_entry("booking.cleared")]
    [stored] = pg_store.add_payments([PaymentWrite(payment, checked, 2)], entries, [message])
    assert [s.split(" (", 1)[0] for s in sent] == ["WITH b AS", "WITH b AS"]
    monkeypatch.undo()
    assert stored.receipt_no == 1
    assert pg_store.get_payment(payment.id) == stored
    assert pg_store.get_outbox(message.id) == message
    assert pg_store.get_booking(event.id, patron.id) == dataclasses.replace(checked, version=3)
    actions = [e.action for e in pg_store.list_audit(limit=1000)]
    assert sorted(actions) == sorted(
        ["event.created", "booking.added", "attendance.checked_in", *(e.action for e in entries)]
    )


def test_a_write_that_meets_a_dropped_connection_fails_and_the_next_one_lands(
    pg_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A one-statement write on a connection the server ended (within the second a
    connection is not pinged) fails with SQLAlchemy's error, writes nothing, and the pool
    lets the connection go: the next write lands on a fresh one."""
    import sqlalchemy as sa

    from shipcaptaincrew.storage import sql_base
    from tests import factories as f
    from tests.storage.contract import T0, _event_with_booking

    monkeypatch.setattr(sql_base, "PING_IDLE_S", 3600.0)
    event, patron, booking = _event_with_booking(pg_store)
    assert _end_other_connections(pg_store) == 1
    checked = dataclasses.replace(booking, checked_in_at=T0, checked_in_by="crw_1")
    with pytest.raises(sa.exc.OperationalError):
        pg_store.update_booking(checked, 1, f.audit_entry("attendance.checked_in"))
    assert pg_store.get_booking(event.id, patron.id) == booking
    pg_store.update_booking(checked, 1, f.audit_entry("attendance.checked_in"))
    assert pg_store.get_booking(event.id, patron.id) == dataclasses.replace(checked, version=2)


def test_reads_on_an_event_loop_s_thread_keep_a_connection_and_one_ended_is_replaced(
    pg_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A thread that runs an event loop (where the hot paths' store work runs) reads on a
    connection of its own, taken from the pool once; one the server ended is let go, the
    read is answered again through SQLAlchemy, and the next read opens another. Reads off
    any event loop keep taking the pool's connections."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import event as sa_event

    from shipcaptaincrew.storage import sql_base
    from tests import factories as f

    event = f.event_record()
    pg_store.add_event(event, f.audit_entry("event.created", event.id))
    pg_store.plain_at_first_sight = True
    taken: list[int] = []
    sa_event.listen(pg_store.engine, "checkout", lambda *_: taken.append(1))

    async def read_thrice() -> list[Any]:
        return [pg_store.get_event(event.id) for _ in range(3)]

    with ThreadPoolExecutor(1) as loop_thread:  # one thread, an event loop each time

        def on_loop() -> list[Any]:
            return loop_thread.submit(asyncio.run, read_thrice()).result()

        assert on_loop() == [event] * 3
        assert len(taken) == 1  # its own connection, taken once
        assert on_loop() == [event] * 3
        assert len(taken) == 1
        # Off any loop (a thread of its own: a browser test may have left one running in
        # this one): the pool's, each read.
        with ThreadPoolExecutor(1) as plain_thread:
            reads = plain_thread.submit(lambda: [pg_store.get_event(event.id) for _ in "ab"])
            assert reads.result() == [event] * 2
        assert len(taken) == 3

        monkeypatch.setattr(sql_base, "PING_IDLE_S", 0.0)  # the pool's are checked
        assert _end_other_connections(pg_store) == 2  # the loop's and the pool's
        assert on_loop() == [event] * 3
        # The loop's read failed, was read again on the pool's (pinged, replaced), and the
        # next read opened another connection of the loop's own.
        assert len(taken) == 5
        assert on_loop() == [event] * 3
        assert len(taken) == 5


def test_one_statement_writes_on_an_event_loop_s_thread_use_its_reading_connection(
    pg_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A booking's one-statement write on a thread that runs an event loop goes on the
    thread's own connection (autocommit: the statement its own transaction), taken from
    the pool once with its reads; one the server ended fails the write with SQLAlchemy's
    error, writes nothing, and is let go: the next write opens another and lands."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    import sqlalchemy as sa
    from sqlalchemy import event as sa_event

    from shipcaptaincrew.storage import sql_base
    from tests import factories as f
    from tests.storage.contract import T0, _event_with_booking

    monkeypatch.setattr(sql_base, "PING_IDLE_S", 3600.0)
    event, patron, booking = _event_with_booking(pg_store)
    pg_store.plain_at_first_sight = True
    taken: list[int] = []
    sa_event.listen(pg_store.engine, "checkout", lambda *_: taken.append(1))

    def checked(version: int) -> Any:
        return dataclasses.replace(booking, checked_in_at=T0, version=version)

    async def read_write_read(version: int) -> Any:
        assert pg_store.get_booking(event.id, patron.id) is not None
        pg_store.update_booking(checked(version), version, f.audit_entry("checked_in"))
        return pg_store.get_booking(event.id, patron.id)

    with ThreadPoolExecutor(1) as loop_thread:

        def on_loop(version: int) -> Any:
            return loop_thread.submit(asyncio.run, read_write_read(version)).result()

        assert on_loop(1) == checked(2)
        assert on_loop(2) == checked(3)
        assert len(taken) == 1  # the loop's own connection, for reads and writes
        assert _end_other_connections(pg_store) == 1
        with pytest.raises(sa.exc.OperationalError):
            loop_thread.submit(asyncio.run, _write_only(pg_store, checked(3), 3)).result()
        assert pg_store.get_booking(event.id, patron.id) == checked(3)  # nothing written
        taken.clear()
        assert on_loop(3) == checked(4)
        assert len(taken) == 1  # another connection of its own, taken once
    actions = [e.action for e in pg_store.list_audit(limit=100)]
    assert actions.count("checked_in") == 3


async def _write_only(store: SqlStore, booking: Any, version: int) -> None:
    from tests import factories as f

    store.update_booking(booking, version, f.audit_entry("checked_in"))


def test_a_claim_in_one_statement_that_drifts_from_the_domain_rule_fails_loudly(
    pg_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL claims in one statement that sets the claim's values itself; each claimed
    message is checked against domain/outbox.py's ``claimed``, so a rule changed in one
    place and not the other is an error, not a message stored one way and sent another."""
    from datetime import timedelta

    from shipcaptaincrew.domain import outbox as ob
    from tests.storage.contract_outbox import LEASE, T0, _with_messages

    [message] = _with_messages(pg_store, 1)
    rule = ob.claimed
    monkeypatch.setattr(
        ob, "claimed", lambda m, lease: dataclasses.replace(rule(m, lease), attempts=m.attempts + 2)
    )
    with pytest.raises(RuntimeError, match=f"outbox message {message.id} was claimed as"):
        pg_store.claim_outbox(now=T0 + timedelta(hours=1), lease_until=LEASE, limit=10)
