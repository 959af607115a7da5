"""A SQLite store's writes: one connection kept for them, taking turns, with no busy timeout
of its own; another process's write lock is waited for, a broken connection replaced."""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import Any

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import exc as sa_exc

from shipcaptaincrew.storage import sql_base
from shipcaptaincrew.storage.sql import SqlStore
from tests import factories as f
from tests.store_calls import begun_writes


def _path(store: SqlStore) -> str:
    return store.url.removeprefix("sqlite:///")


def _actions(store: SqlStore) -> list[str]:
    return sorted(e.action for e in store.list_audit())


def test_writes_from_many_threads_take_turns_on_one_connection(
    sqlite_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = sqlite_store
    checkouts: list[int] = []
    sa_event.listen(store.engine, "checkout", lambda *_: checkouts.append(1))
    begun = begun_writes(monkeypatch)
    threads = [
        threading.Thread(target=store.add_audit, args=(f.audit_entry(f"w{i}"),)) for i in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert checkouts == [1]  # the writer's, once
    assert len(begun) == 8 and len({id(c) for c in begun}) == 1
    assert _actions(store) == [f"w{i}" for i in range(8)]
    writer = begun[0]
    assert writer.execute("PRAGMA busy_timeout").fetchone() == (0,)
    # Every other connection keeps SQLite's busy timeout.
    assert store._reader().execute("PRAGMA busy_timeout").fetchone() == (30000,)
    with store.engine.connect() as other:
        assert other.connection.driver_connection is not writer
        assert other.exec_driver_sql("PRAGMA busy_timeout").fetchone() == (30000,)


def test_temporary_data_stays_in_memory(sqlite_store: SqlStore) -> None:
    """A group's write is a savepoint; its undo record would otherwise spill to a file made
    and deleted on every commit. Every connection keeps SQLite's temporary data in memory."""
    store = sqlite_store
    store.add_audit(f.audit_entry("first"))
    writer = store._writer().connection.dbapi_connection  # noqa: SLF001
    assert writer.execute("PRAGMA temp_store").fetchall() == [(2,)]
    assert store._reader().execute("PRAGMA temp_store").fetchall() == [(2,)]  # noqa: SLF001
    with store.engine.connect() as other:
        assert other.exec_driver_sql("PRAGMA temp_store").fetchall() == [(2,)]


def test_a_write_waits_for_another_process_holding_the_lock(sqlite_store: SqlStore) -> None:
    store = sqlite_store
    store.add_audit(f.audit_entry("first"))
    other = sqlite3.connect(_path(store), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    done = threading.Event()

    def write() -> None:
        store.add_audit(f.audit_entry("second"))
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    assert not done.wait(0.3)  # still waiting for the lock
    other.execute("INSERT INTO counters (name, value) VALUES ('other', 1)")
    other.execute("COMMIT")
    other.close()
    assert done.wait(5)
    writer.join()
    assert _actions(store) == ["first", "second"]


def test_a_write_that_cannot_get_the_lock_fails_and_the_next_one_succeeds(
    sqlite_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = sqlite_store
    store.add_audit(f.audit_entry("first"))
    monkeypatch.setattr(sql_base, "WRITE_WAIT_S", 0.2)
    other = sqlite3.connect(_path(store), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    with pytest.raises(Exception, match="database is locked"):
        store.add_audit(f.audit_entry("refused"))
    assert 0.2 <= time.monotonic() - started < 5
    other.execute("ROLLBACK")
    other.close()
    store.add_audit(f.audit_entry("after"))
    assert _actions(store) == ["after", "first"]


def test_a_broken_writing_connection_is_replaced(
    sqlite_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = sqlite_store
    begun = begun_writes(monkeypatch)
    store.add_audit(f.audit_entry("first"))
    store._writer().invalidate()  # as SQLAlchemy does when the driver reports it broken
    store.add_audit(f.audit_entry("second"))
    assert _actions(store) == ["first", "second"]
    assert len(begun) == 2 and begun[0] is not begun[1]
    assert begun[1].execute("PRAGMA busy_timeout").fetchone() == (0,)


def test_closing_the_store_closes_its_writing_connection(
    settings: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'w.db'}")
    store.init_schema()
    begun = begun_writes(monkeypatch)
    store.add_audit(f.audit_entry("first"))
    store.close()
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        begun[0].execute("SELECT 1")


def _transactions(store: SqlStore) -> list[str]:
    """SQLAlchemy's transaction events on ``store`` from now on."""
    seen: list[str] = []
    for name in ("begin", "commit", "rollback"):
        sa_event.listen(store.engine, name, lambda *_, name=name: seen.append(name))
    return seen


def _idle(store: SqlStore) -> bool:
    writer = store._writer()
    return not writer.in_transaction() and not writer.connection.driver_connection.in_transaction


def test_a_write_on_the_driver_begins_and_commits_there(sqlite_store: SqlStore) -> None:
    store = sqlite_store
    seen = _transactions(store)
    store.add_audit(f.audit_entry("first"))
    assert seen == []  # BEGIN IMMEDIATE and COMMIT went straight to sqlite3
    assert _actions(store) == ["first"]
    assert _idle(store)


def test_a_statement_sqlalchemy_runs_in_a_write_ends_the_write_with_it(
    sqlite_store: SqlStore,
) -> None:
    store = sqlite_store
    event, patron = f.event_record(), f.patron_record()
    store.add_event(event, f.audit_entry("event.created"))
    seen = _transactions(store)
    booking = f.stored_booking(store, event, patron)  # locks the event through SQLAlchemy
    assert seen == ["begin", "commit"]
    assert store.get_booking(event.id, patron.id) == booking
    assert _idle(store)
    seen.clear()
    with pytest.raises(Exception, match="already"):
        f.stored_booking(store, event, patron, new_patron=False)
    assert seen == ["begin", "rollback"]
    assert _actions(store) == ["booking.added", "event.created"]
    assert _idle(store)


def test_a_commit_the_database_refuses_is_sqlalchemys_error_and_writes_nothing(
    sqlite_store: SqlStore,
) -> None:
    store = sqlite_store
    refused = pytest.raises(sa_exc.IntegrityError, match="FOREIGN KEY constraint failed")
    with refused, store._write() as conn:
        driver = conn.connection.driver_connection
        driver.execute("PRAGMA defer_foreign_keys=ON")  # checked at COMMIT, for this one
        store._insert_audit(conn, [f.audit_entry("orphaned")])
        driver.execute(
            "INSERT INTO sessions"
            " (token_hash, crew_id, csrf_token, created_at, expires_at, address)"
            " VALUES ('h', 'crw_nobody', 'c', '2030-01-01', '2030-01-02', '')"
        )
    assert _idle(store)
    store.add_audit(f.audit_entry("after"))
    assert _actions(store) == ["after"]


def test_the_delivery_s_bookkeeping_commits_without_waiting_for_the_disk(
    sqlite_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A message claimed and its outcome commit with ``synchronous=NORMAL`` (the write lock
    is not held through a disk wait while payments queue behind it); every other write,
    the payment that queued the message included, with ``synchronous=FULL``, which the
    writing connection is back at after each."""
    import dataclasses
    from datetime import timedelta

    from shipcaptaincrew.domain import outbox as ob
    from tests.factories import T0
    from tests.storage.contract_outbox_latest import _booked, _msg, _write

    store = sqlite_store
    event = f.event_record()
    store.add_event(event, f.audit_entry())
    booking = _booked(store, event)
    modes: list[tuple[str, int]] = []
    begin = sql_base._begin_immediate

    def noted(dbapi_conn: Any) -> None:
        [(mode,)] = dbapi_conn.execute("PRAGMA synchronous").fetchall()
        modes.append((caller, mode))
        begin(dbapi_conn)

    monkeypatch.setattr(sql_base, "_begin_immediate", noted)
    caller = "payment"
    message = _msg(booking, 1)
    _write(store, booking, [message])
    caller = "claim"
    later = T0 + timedelta(days=1)
    [claimed] = store.claim_outbox(now=later, lease_until=later + ob.LEASE, limit=10)
    caller = "finish"
    sent = dataclasses.replace(claimed, status=ob.SENT, sent_at=later)
    assert store.finish_outbox(sent, f.audit_entry("email.sent"))
    caller = "audit"
    store.add_audit(f.audit_entry("after"))
    assert modes == [("payment", 2), ("claim", 1), ("finish", 1), ("audit", 2)]
    writer = store._writer().connection.dbapi_connection  # noqa: SLF001
    assert writer.execute("PRAGMA synchronous").fetchall() == [(2,)]
    assert store.latest_outbox_status(event.id, [ob.RECEIPT]) == {booking.patron_id: ob.SENT}
