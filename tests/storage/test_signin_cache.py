"""Sign-ins kept by a SQL store (``storage/signin_cache.py``): read once, and read again in
every process sharing the database as soon as one of them ends a session or changes a crew
account (on SQLite at once; on PostgreSQL once its notice arrives), or after ``KEEP_S``
whatever happened."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event as sa_event

from shipcaptaincrew.domain.models import CrewMember, Session
from shipcaptaincrew.storage import signin_cache, sql_base
from shipcaptaincrew.storage.sql import SqlStore
from tests import factories as f
from tests.factories import T0

HASH = "h" * 64


@pytest.fixture
def other(sqlite_store: SqlStore) -> Iterator[SqlStore]:
    """A second store on the same file: another worker, with sign-ins of its own kept."""
    store = SqlStore(sqlite_store.url)
    yield store
    store.close()


def _signed_in(store: SqlStore) -> tuple[Session, CrewMember]:
    member = f.crew_record()
    store.add_crew(member, f.audit_entry())
    session = Session(HASH, member.id, "csrf", T0, T0 + timedelta(hours=12))
    store.add_session(session, f.audit_entry("login"))
    return session, member


def _reads(store: SqlStore) -> list[str]:
    """The sign-in reads ``store`` sends to the database from now on."""
    seen: list[str] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if "FROM sessions JOIN crew" in statement:
            seen.append(statement)

    sa_event.listen(store.engine, "before_cursor_execute", on_execute)
    return seen


def test_a_sign_in_is_read_once_and_kept(sqlite_store: SqlStore) -> None:
    store = sqlite_store
    signed_in = _signed_in(store)
    reads = _reads(store)
    assert [store.get_signed_in(HASH) for _ in range(3)] == [signed_in] * 3
    assert len(reads) == 1


def test_a_token_not_found_is_looked_up_every_time(sqlite_store: SqlStore) -> None:
    store = sqlite_store
    reads = _reads(store)
    assert store.get_signed_in(HASH) is None
    assert store.get_signed_in(HASH) is None
    assert len(reads) == 2
    signed_in = _signed_in(store)
    assert store.get_signed_in(HASH) == signed_in


def _deactivate(store: SqlStore, member: CrewMember) -> None:
    store.update_crew(dataclasses.replace(member, active=False), f.audit_entry("crew.updated"))


@pytest.mark.parametrize(
    ("change", "after"),
    [
        (lambda s, m: s.delete_session(HASH, f.audit_entry("logout")), None),
        (lambda s, m: s.end_sessions(m.id, [HASH], f.audit_entry("sessions.ended")), None),
        (lambda s, m: s.delete_crew(m.id, f.audit_entry("crew.deleted")), None),
        (_deactivate, "inactive"),
    ],
    ids=["sign-out", "sessions ended", "account deleted", "account deactivated"],
)
def test_a_change_in_another_worker_is_seen_at_the_next_sign_in(
    sqlite_store: SqlStore, other: SqlStore, change: Any, after: str | None
) -> None:
    session, member = _signed_in(sqlite_store)
    assert sqlite_store.get_signed_in(HASH) == (session, member)  # kept
    assert other.get_signed_in(HASH) == (session, member)  # kept there too
    change(other, member)
    found = sqlite_store.get_signed_in(HASH)
    if after is None:
        assert found is None
    else:
        assert found is not None and found[1].active is False
    assert other.get_signed_in(HASH) == found


def test_a_sign_out_in_another_process_is_seen_at_the_next_sign_in(
    sqlite_store: SqlStore,
) -> None:
    signed_in = _signed_in(sqlite_store)
    assert sqlite_store.get_signed_in(HASH) == signed_in
    code = (
        "import sys\n"
        "from shipcaptaincrew.storage.sql import SqlStore\n"
        "from tests import factories as f\n"
        "store = SqlStore(sys.argv[1])\n"
        "store.delete_session(sys.argv[2], f.audit_entry('logout'))\n"
        "store.close()\n"
    )
    subprocess.run([sys.executable, "-c", code, sqlite_store.url, HASH], check=True)
    assert sqlite_store.get_signed_in(HASH) is None


def test_a_change_landing_while_a_sign_in_is_read_is_not_kept_past_it(
    sqlite_store: SqlStore, other: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stamp is read before the database: a sign-in read just before another worker's
    sign-out is answered once (the request came first) and then forgotten."""
    signed_in = _signed_in(sqlite_store)
    one = sqlite_store._one

    def read_then_sign_out(*args: Any) -> Any:
        row = one(*args)
        other.delete_session(HASH, f.audit_entry("logout"))
        return row

    monkeypatch.setattr(sqlite_store, "_one", read_then_sign_out)
    assert sqlite_store.get_signed_in(HASH) == signed_in
    monkeypatch.setattr(sqlite_store, "_one", one)
    assert sqlite_store.get_signed_in(HASH) is None


def test_a_sign_in_kept_is_read_again_after_a_while(
    sqlite_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A session deleted behind the store's back (no stamp written) ends within KEEP_S."""
    signed_in = _signed_in(sqlite_store)
    now = [1000.0]
    monkeypatch.setattr(signin_cache.time, "monotonic", lambda: now[0])
    assert sqlite_store.get_signed_in(HASH) == signed_in
    with sqlite_store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM sessions")
    now[0] += signin_cache.KEEP_S - 0.5
    assert sqlite_store.get_signed_in(HASH) == signed_in
    now[0] += 1
    assert sqlite_store.get_signed_in(HASH) is None


def test_a_session_s_last_use_noted_here_is_kept_with_it(sqlite_store: SqlStore) -> None:
    session, member = _signed_in(sqlite_store)
    assert sqlite_store.get_signed_in(HASH) == (session, member)
    reads = _reads(sqlite_store)
    at = T0 + timedelta(minutes=5)
    sqlite_store.touch_session(HASH, at=at, address="203.0.113.9")
    touched = dataclasses.replace(session, last_used_at=at, address="203.0.113.9")
    assert sqlite_store.get_signed_in(HASH) == (touched, member)
    assert sqlite_store.get_session(HASH) == touched
    assert reads == []


def test_at_most_limit_sign_ins_are_kept_the_longest_kept_going_first(
    sqlite_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(signin_cache, "LIMIT", 2)
    member = f.crew_record()
    sqlite_store.add_crew(member, f.audit_entry())
    hashes = [c * 64 for c in "abc"]
    for h in hashes:
        session = Session(h, member.id, "csrf", T0, T0 + timedelta(hours=12))
        sqlite_store.add_session(session, f.audit_entry("login"))
        assert sqlite_store.get_signed_in(h) is not None
    reads = _reads(sqlite_store)
    for h in reversed(hashes):  # c and b kept; a read again
        assert sqlite_store.get_signed_in(h) is not None
    assert len(reads) == 1 and "a" * 64 not in reads[0]  # the value is bound, not in the SQL


@pytest.mark.parametrize("path", [None, "", ":memory:", "file:scc?mode=memory"])
def test_a_database_with_no_file_of_its_own_keeps_no_sign_ins(path: str | None) -> None:
    assert sql_base._signin_cache(path) is None


# -- PostgreSQL: the processes that keep sign-ins listen for changes ------------------------


def _until(done: Any, seconds: float = 10.0) -> None:
    """Wait for ``done()`` (a notice crossing the server) for at most ``seconds``."""
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.01)


@pytest.fixture
def pg_other(pg_store: SqlStore) -> Iterator[SqlStore]:
    """A second store on the same database: another worker, or an `scc` command."""
    store = SqlStore(pg_store.url)
    yield store
    store.close()


@pytest.mark.parametrize(
    "options", ["", "?connect_timeout=5&application_name=scc"], ids=["url", "url with options"]
)
def test_postgres_keeps_a_sign_in_once_listening(pg_store: SqlStore, options: str) -> None:
    """Read once, then kept. A URL's own connect_timeout and application_name: the listening
    connection takes the engine's instead, as the engine's connections do, and listens."""
    store = SqlStore(pg_store.url + options)
    try:
        signed_in = _signed_in(store)
        reads = _reads(store)
        assert [store.get_signed_in(HASH) for _ in range(3)] == [signed_in] * 3
        assert len(reads) == 1
        kept = store._signins
        assert isinstance(kept, signin_cache.ListenedSignIns) and kept.listening
    finally:
        store.close()


@pytest.mark.parametrize("other_kept_it", [False, True], ids=["a command", "another worker"])
def test_postgres_a_sign_out_elsewhere_is_heard_and_the_sign_in_read_again(
    pg_store: SqlStore, pg_other: SqlStore, other_kept_it: bool
) -> None:
    signed_in = _signed_in(pg_store)
    assert pg_store.get_signed_in(HASH) == signed_in
    if other_kept_it:
        assert pg_other.get_signed_in(HASH) == signed_in
    reads = _reads(pg_store)
    pg_other.delete_session(HASH, f.audit_entry("logout"))
    assert pg_other.get_signed_in(HASH) is None  # its own change: at once
    _until(lambda: pg_store.get_signed_in(HASH) is None)
    assert pg_store.get_signed_in(HASH) is None
    assert len(reads) >= 2  # read again once heard, and every time after (not found)


def test_postgres_keeps_nothing_while_its_listening_connection_is_down(
    pg_store: SqlStore,
) -> None:
    signed_in = _signed_in(pg_store)
    assert pg_store.get_signed_in(HASH) == signed_in
    kept = pg_store._signins
    assert isinstance(kept, signin_cache.ListenedSignIns) and kept.listening
    with pg_store.engine.connect() as conn:
        ended = conn.exec_driver_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = %(name)s AND datname = current_database()",
            {"name": signin_cache.CHANNEL},
        ).all()
    assert ended == [(True,)]
    _until(lambda: not kept.listening)
    reads = _reads(pg_store)
    while not kept.listening:  # each lookup meanwhile reads the database
        before = len(reads)
        assert pg_store.get_signed_in(HASH) == signed_in
        assert len(reads) == before + 1 or kept.listening
    _until(lambda: kept.listening)
    reads.clear()
    assert [pg_store.get_signed_in(HASH) for _ in range(3)] == [signed_in] * 3
    assert len(reads) == 1  # listening again: read once, kept


class _NoticesLost:
    """A listening connection whose notices never come back, as behind a connection pooler
    in transaction mode: its NOTIFY goes nowhere."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, query: str, params: Any = None) -> Any:
        if "pg_notify" in query:
            return self._conn.execute("SELECT 1")
        return self._conn.execute(query, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def _notices_lost(store: SqlStore) -> Any:
    return _NoticesLost(store._listener())


def _nothing_answers(_store: SqlStore) -> Any:
    import psycopg

    from tests.server import free_port

    return psycopg.connect(host="127.0.0.1", port=free_port(), connect_timeout=2)


@pytest.mark.parametrize(
    ("connect", "why"),
    [
        (
            _notices_lost,
            "a notice on scc_signins did not come back (a pooler in transaction mode?)",
        ),
        (_nothing_answers, "the database does not answer (OperationalError)"),
    ],
    ids=["notices lost", "nothing answers"],
)
def test_postgres_keeps_nothing_when_its_listener_cannot_be_trusted(
    pg_store: SqlStore,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    connect: Any,
    why: str,
) -> None:
    """A listener whose own notice does not come back (a connection whose NOTIFY goes
    nowhere), or that cannot connect (nothing answers on its port): every sign-in is read,
    and one warning says why."""
    monkeypatch.setattr(signin_cache, "CHECK_S", 0.2)
    kept = signin_cache.ListenedSignIns(lambda: connect(pg_store))
    monkeypatch.setattr(pg_store, "_signins", kept)
    signed_in = _signed_in(pg_store)
    reads = _reads(pg_store)
    with caplog.at_level("WARNING", logger="shipcaptaincrew.store"):
        assert [pg_store.get_signed_in(HASH) for _ in range(3)] == [signed_in] * 3
    assert len(reads) == 3 and not kept.listening
    assert [r.getMessage() for r in caplog.records] == [
        f"sign-ins are read from the database for every request: {why}"
    ]
    kept.close()
