"""SQLite's grouped commits (``SqlBase.grouped``, ``web/store_work.py``): the writes of the
requests an event loop runs together join one transaction and commit once, each a savepoint
rolled back on its own when it fails; grouped reads see the group, other reads and writes do
not join it; each request answers, and its emails go, only once the group has committed."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from anyio.from_thread import start_blocking_portal
from fastapi.testclient import TestClient
from sqlalchemy import exc as sa_exc

from shipcaptaincrew.config import Settings
from shipcaptaincrew.domain.errors import DuplicateKey
from shipcaptaincrew.domain.models import Role
from shipcaptaincrew.notify.background import BackgroundDelivery
from shipcaptaincrew.services.context import Context
from shipcaptaincrew.storage import sql_base
from shipcaptaincrew.storage.sql import SqlStore
from shipcaptaincrew.web.app import create_app
from shipcaptaincrew.web.store_work import store_work, store_write
from tests import factories as f
from tests.conftest import Clock
from tests.store_calls import begun_writes

T = TypeVar("T")


class Boom(Exception):
    pass


@pytest.fixture
def begun(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    return begun_writes(monkeypatch)


@pytest.fixture
def ctx(sqlite_store: SqlStore, settings: Settings) -> Context:
    return Context(store=sqlite_store, settings=settings)


@pytest.fixture
def committed(sqlite_store: SqlStore) -> Iterator[Callable[[], list[str]]]:
    """The audit actions committed to the file, read on a connection of its own."""
    db = sqlite3.connect(sqlite_store.url.removeprefix("sqlite:///"), check_same_thread=False)

    def actions() -> list[str]:
        return sorted(row[0] for row in db.execute("SELECT action FROM audit"))

    yield actions
    db.close()


def on_a_loop(main: Callable[[], Any]) -> Any:
    """``main()`` on an event loop of its own, in a thread of its own."""
    with start_blocking_portal() as portal:
        return portal.call(main)


async def settled(*aws: Any) -> list[Any]:
    return list(await asyncio.gather(*aws, return_exceptions=True))


def test_the_writes_of_requests_running_together_commit_in_one_transaction(
    ctx: Context, begun: list[Any], committed: Callable[[], list[str]]
) -> None:
    store = ctx.store

    async def request(i: int) -> list[str]:
        await store_work(ctx, store.add_audit, f.audit_entry(f"w{i}"))
        return committed()  # what another connection sees once the request may answer

    async def main() -> list[Any]:
        return await settled(*(request(i) for i in range(6)))

    seen = on_a_loop(main)
    everything = [f"w{i}" for i in range(6)]
    assert seen == [everything] * 6  # each answered only once all six had committed
    assert len(begun) == 1  # one transaction: one BEGIN IMMEDIATE, one commit, one fsync
    assert committed() == everything


@pytest.fixture
def other_process(sqlite_store: SqlStore) -> Iterator[sqlite3.Connection]:
    """Another connection to the file, as another worker's, holding the write lock."""
    other = sqlite3.connect(
        sqlite_store.url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False
    )
    other.execute("BEGIN IMMEDIATE")
    yield other
    if other.in_transaction:
        other.execute("ROLLBACK")
    other.close()


def test_writes_waiting_for_another_process_s_lock_let_the_loop_serve_and_join_one_group(
    ctx: Context,
    begun: list[Any],
    committed: Callable[[], list[str]],
    other_process: sqlite3.Connection,
) -> None:
    """A request that arrives while another waits for the lock is read and served as far
    as its own wait, then joins the same transaction: one commit for both."""
    store = ctx.store
    released: list[float] = []

    def release() -> None:
        released.append(time.monotonic())
        other_process.execute("COMMIT")

    async def request(action: str) -> list[str]:
        await store_write(ctx, store.add_audit, f.audit_entry(action))
        return committed()

    async def main() -> tuple[float, list[Any]]:
        first = asyncio.ensure_future(request("a"))
        await asyncio.sleep(0.1)  # runs while the first waits: the loop is not held up
        arrived = time.monotonic()
        return arrived, await settled(first, request("b"))

    before = committed()
    timer = threading.Timer(1.0, release)
    timer.start()
    try:
        arrived, seen = on_a_loop(main)
    finally:
        timer.join()
    assert arrived < released[0]
    assert seen == [sorted([*before, "a", "b"])] * 2
    assert len(begun) == 1  # both in one transaction, begun once the lock was free


def test_a_request_cancelled_while_waiting_for_the_lock_leaves_the_others_waiting(
    ctx: Context,
    begun: list[Any],
    committed: Callable[[], list[str]],
    other_process: sqlite3.Connection,
) -> None:
    store = ctx.store

    async def main() -> list[Any]:
        first = asyncio.ensure_future(store_write(ctx, store.add_audit, f.audit_entry("a")))
        await asyncio.sleep(0.05)  # the first tries the lock; the next two wait for it
        gone = asyncio.ensure_future(store_write(ctx, store.add_audit, f.audit_entry("gone")))
        last = asyncio.ensure_future(store_write(ctx, store.add_audit, f.audit_entry("c")))
        await asyncio.sleep(0.05)
        gone.cancel()
        await asyncio.sleep(0.05)
        other_process.execute("COMMIT")
        return await settled(first, gone, last)

    before = committed()
    first, gone, last = on_a_loop(main)
    assert (first, last) == (None, None)
    assert isinstance(gone, asyncio.CancelledError)
    assert committed() == sorted([*before, "a", "c"])
    assert len(begun) == 1


def test_a_write_that_cannot_get_the_lock_in_time_fails_and_writes_nothing(
    ctx: Context,
    committed: Callable[[], list[str]],
    other_process: sqlite3.Connection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """It fails, and the request that waited with it fails with it, without waiting again
    for the lock with the loop stopped."""
    store = ctx.store
    monkeypatch.setattr(sql_base, "WRITE_WAIT_S", 0.2)
    stopped: list[Any] = []
    monkeypatch.setattr(sql_base, "_begin_immediate", stopped.append)

    async def main() -> list[Any]:
        first = asyncio.ensure_future(store_write(ctx, store.add_audit, f.audit_entry("no")))
        await asyncio.sleep(0.05)  # the first tries the lock; the second waits for it
        return await settled(first, store_write(ctx, store.add_audit, f.audit_entry("nor")))

    before = committed()
    started = time.monotonic()
    outcomes = on_a_loop(main)
    assert 0.2 <= time.monotonic() - started < 5
    assert [type(o) for o in outcomes] == [sqlite3.OperationalError] * 2
    assert [str(o) for o in outcomes] == ["database is locked"] * 2
    assert stopped == []
    other_process.execute("ROLLBACK")
    on_a_loop(lambda: store_write(ctx, store.add_audit, f.audit_entry("after")))
    assert committed() == sorted([*before, "after"])


def test_a_write_that_fails_in_a_group_is_rolled_back_alone(
    ctx: Context, begun: list[Any], committed: Callable[[], list[str]]
) -> None:
    store = ctx.store
    taken = f.crew_fast(ctx, Role.CREW, "taken@example.org")

    def half_then_boom() -> None:
        with store._write():  # one write: its first part is in, then it fails
            store.add_audit(f.audit_entry("half"))
            raise Boom

    def same_email() -> None:
        again = f.crew_fast  # a second member with the first one's email
        again(ctx, Role.CREW, taken.email)

    async def main() -> list[Any]:
        return await settled(
            store_work(ctx, store.add_audit, f.audit_entry("a")),
            store_work(ctx, half_then_boom),
            store_work(ctx, same_email),
            store_work(ctx, store.add_audit, f.audit_entry("b")),
        )

    before = committed()
    outcomes = on_a_loop(main)
    assert outcomes[0] is None and outcomes[3] is None
    assert isinstance(outcomes[1], Boom) and isinstance(outcomes[2], DuplicateKey)
    assert len(begun) == 2  # the fixture's member, then the four requests' one group
    assert committed() == sorted([*before, "a", "b"])
    assert [m.email for m in store.list_crew()] == [taken.email]


def test_grouped_reads_see_the_group_and_other_reads_only_what_committed(
    ctx: Context, committed: Callable[[], list[str]]
) -> None:
    store = ctx.store

    def actions() -> list[str]:
        return sorted(e.action for e in store.list_audit())

    async def reader() -> tuple[list[str], list[str]]:
        await asyncio.sleep(0)  # the writer's work has run: its group is open, uncommitted
        outside = actions()  # on the loop, but not store work: the committed file
        inside = await store_work(ctx, actions)
        return outside, inside

    async def main() -> list[Any]:
        return await settled(store_work(ctx, store.add_audit, f.audit_entry("w")), reader())

    before = committed()
    written, (outside, inside) = on_a_loop(main)
    assert written is None
    assert outside == before
    assert inside == sorted([*before, "w"])
    assert committed() == inside


def test_a_write_outside_store_work_commits_the_open_group_first(
    ctx: Context, begun: list[Any], committed: Callable[[], list[str]]
) -> None:
    """A write on the loop that does not wait for a group (a guest page's form) would
    otherwise answer before its own commit, or wait on the lock its own loop holds."""
    store = ctx.store
    seen: list[list[str]] = []

    async def outside() -> None:
        await asyncio.sleep(0)  # the grouped write has run, its group open
        store.add_audit(f.audit_entry("outside"))
        seen.append(committed())  # committed as it returns, the group's before it

    async def main() -> list[Any]:
        return await settled(store_work(ctx, store.add_audit, f.audit_entry("grouped")), outside())

    before = committed()
    assert on_a_loop(main) == [None, None]
    assert seen == [sorted([*before, "grouped", "outside"])]
    assert len(begun) == 2


def test_a_group_whose_commit_fails_fails_every_request_in_it_and_keeps_nothing(
    ctx: Context, committed: Callable[[], list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ctx.store
    after: list[str] = []
    commit_group = store._commit_group

    def broken(group: Any) -> None:  # SQLite ended the transaction itself (an I/O error)
        group.conn.connection.dbapi_connection.rollback()
        commit_group(group)

    def write(action: str) -> None:
        store.add_audit(f.audit_entry(action))
        store.on_commit(lambda: after.append(action))

    async def main() -> list[Any]:
        return await settled(store_work(ctx, write, "a"), store_work(ctx, write, "b"))

    before = committed()
    monkeypatch.setattr(store, "_commit_group", broken)
    outcomes = on_a_loop(main)
    assert [type(o) for o in outcomes] == [sa_exc.OperationalError] * 2
    assert "rolled back before its commit" in str(outcomes[0])
    assert committed() == before
    assert after == []
    monkeypatch.undo()
    on_a_loop(lambda: store_work(ctx, write, "c"))  # the lock was let go: the next one writes
    assert committed() == sorted([*before, "c"]) and after == ["c"]


def test_a_write_from_another_thread_waits_for_the_group_to_commit(
    ctx: Context, committed: Callable[[], list[str]]
) -> None:
    store = ctx.store

    async def main() -> list[Any]:
        grouped = asyncio.ensure_future(store_work(ctx, store.add_audit, f.audit_entry("g")))
        await asyncio.sleep(0)  # the group is open and holds the write lock
        pooled = asyncio.to_thread(store.add_audit, f.audit_entry("t"))
        return await settled(grouped, pooled)

    before = committed()
    assert on_a_loop(main) == [None, None]
    assert committed() == sorted([*before, "g", "t"])


def test_a_payment_s_receipt_is_handed_to_delivery_only_once_it_has_committed(
    sqlite_store: SqlStore, settings: Settings, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = sqlite3.connect(sqlite_store.url.removeprefix("sqlite:///"), check_same_thread=False)
    handed: list[tuple[list[str], int]] = []

    def call(self: BackgroundDelivery, messages: Any) -> None:
        ids = [m.id for m in messages]
        if not ids:
            return
        marks = ",".join("?" * len(ids))
        stored = db.execute(f"SELECT count(*) FROM outbox WHERE id IN ({marks})", ids)  # noqa: S608
        handed.append((ids, stored.fetchone()[0]))

    monkeypatch.setattr(BackgroundDelivery, "__call__", call)
    app = create_app(settings, store=sqlite_store, clock=clock)
    ctx: Context = app.state.ctx
    admin = f.crew_fast(ctx, Role.ADMIN, "admin@example.org")
    event = f.event(ctx, admin)
    booking = f.booking(ctx, admin, event.id, email="zoe@example.com")
    try:
        with TestClient(app) as client:
            client.headers["Authorization"] = f"Bearer {f.session_for(ctx, admin)}"
            r = client.post(
                f"/api/events/{event.id}/{booking.patron_id}/payment",
                json={"amount_cents": 4500, "method": "cash"},
            )
    finally:
        db.close()
    assert r.status_code == 201
    assert len(handed) == 1 and handed[0][1] == len(handed[0][0]) == 1
