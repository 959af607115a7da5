"""Where a request's use case runs (``web/store_work.py``): on the event loop on SQLite and on
a PostgreSQL server on this machine, in the thread pool on one elsewhere and on DynamoDB;
the hot paths (signing in, a check-in, a payment, the roster kept and its changes) use the
store only from there."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from anyio.from_thread import start_blocking_portal
from fastapi.testclient import TestClient
from sqlalchemy import event as sa_event

from shipcaptaincrew.config import Settings
from shipcaptaincrew.services.context import Context
from shipcaptaincrew.storage import sql_base
from shipcaptaincrew.storage.sql import SqlStore
from shipcaptaincrew.storage.sql_base import on_this_machine
from shipcaptaincrew.web.app import create_app
from shipcaptaincrew.web.store_work import store_work
from tests.conftest import Clock
from tests.web.conftest import Api, Tokens


@pytest.fixture
def pg_store_elsewhere(pg_store: SqlStore) -> Iterator[SqlStore]:
    """The test database through a URL naming another machine (``db.elsewhere.test``), which
    libpq reaches at ``hostaddr``, this machine's loopback: the store takes it for a server
    on the network."""
    url = sa.make_url(pg_store.url.replace("postgresql://", "postgresql+psycopg://", 1))
    store = SqlStore(
        url.set(host="db.elsewhere.test")
        .update_query_dict({"hostaddr": url.host or ""})
        .render_as_string(hide_password=False)
    )
    yield store
    store.close()


@pytest.mark.parametrize(
    ("url", "here"),
    [
        ("postgresql://scc@127.0.0.1:5432/scc", True),
        ("postgresql://scc@localhost/scc", True),
        ("postgresql://scc@[::1]:5432/scc", True),
        ("postgresql:///scc", True),  # libpq's default: the unix socket
        ("postgresql:///scc?host=/var/run/postgresql", True),
        ("postgresql://scc@db.example.org/scc", False),
        ("postgresql://scc@10.0.0.5/scc", False),
        ("postgresql:///scc?host=localhost,db.example.org", False),
        ("postgresql://scc@localhost/scc?hostaddr=10.0.0.5", False),
        ("postgresql://scc@db.example.org/scc?hostaddr=127.0.0.1", False),
    ],
)
def test_a_postgresql_server_is_on_this_machine_by_every_host_its_url_names(
    url: str, here: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PGHOST", raising=False)
    monkeypatch.delenv("PGHOSTADDR", raising=False)
    assert on_this_machine(sa.make_url(url)) is here


def test_a_url_naming_no_host_is_on_this_machine_as_libpq_s_environment_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PGHOSTADDR", raising=False)
    monkeypatch.setenv("PGHOST", "db.example.org")
    assert on_this_machine(sa.make_url("postgresql:///scc")) is False
    assert on_this_machine(sa.make_url("postgresql://scc@127.0.0.1/scc")) is True
    monkeypatch.setenv("PGHOST", "/run/postgresql")
    assert on_this_machine(sa.make_url("postgresql:///scc")) is True


@pytest.mark.parametrize(
    ("store_fixture", "on_loop"),
    [
        ("sqlite_store", True),
        ("pg_store", True),
        ("pg_store_elsewhere", False),
        ("dynamo_store", False),
    ],
)
def test_a_use_case_runs_on_the_loop_only_when_the_store_is_local(
    request: pytest.FixtureRequest, settings: Settings, store_fixture: str, on_loop: bool
) -> None:
    ctx = Context(store=request.getfixturevalue(store_fixture), settings=settings)

    def work(a: int, *, b: int) -> tuple[int, int]:
        return threading.get_ident(), a + b

    async def main() -> tuple[int, tuple[int, int]]:
        return threading.get_ident(), await store_work(ctx, work, 2, b=3)

    # An event loop of its own in a thread of its own (a browser test of this worker may
    # have left one running in this thread).
    with start_blocking_portal() as portal:
        loop_thread, (ran_on, total) = portal.call(main)
    assert total == 5
    assert (ran_on == loop_thread) is on_loop


@pytest.mark.parametrize(
    ("store_fixture", "on_loop"),
    [("sqlite_store", True), ("pg_store", True), ("pg_store_elsewhere", False)],
)
def test_the_hot_paths_use_the_store_on_the_loop_when_it_is_on_this_machine(
    request: pytest.FixtureRequest,
    settings: Settings,
    clock: Clock,
    store_fixture: str,
    on_loop: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A roster made afresh (milliseconds of CPU) is made in the thread pool on every store;
    the one kept is answered where the other hot paths run."""
    store = request.getfixturevalue(store_fixture)
    settings = dataclasses.replace(settings, mail_after_commit=False)
    app = create_app(settings, store=store, clock=clock)
    ctx: Context = app.state.ctx
    hot: list[int] = []  # the thread of every read on the driver, connection taken and write
    made: list[int] = []
    kept: list[int] = []
    into = hot
    inside = threading.local()

    def counted(fn: Any) -> Any:
        """``fn`` noted once where it runs, the connection it takes not noted again: a read
        on the driver (SQLite's reader, PostgreSQL's own or the pool's) and PostgreSQL's
        one-statement write (the loop's reading connection, or the pool's)."""

        def run(*args: Any, **kwargs: Any) -> Any:
            into.append(threading.get_ident())
            inside.reading = True
            try:
                return fn(*args, **kwargs)
            finally:
                inside.reading = False

        return run

    def taken(*_: Any) -> None:
        if not getattr(inside, "reading", False):
            into.append(threading.get_ident())

    try_begin_immediate = sql_base._try_begin_immediate

    def begun(dbapi_conn: Any) -> bool:  # SQLite's writes run on a connection kept for them
        into.append(threading.get_ident())
        return try_begin_immediate(dbapi_conn)

    with TestClient(app) as client:
        api = Api(client, ctx, Tokens(ctx))
        event = api.event()
        patron = api.patron(event["id"])
        loop_thread = client.portal.call(threading.get_ident)
        base = f"/api/events/{event['id']}"
        sa_event.listen(store.engine, "checkout", taken)
        monkeypatch.setattr(sql_base, "_try_begin_immediate", begun)
        monkeypatch.setattr(store, "_plain_rows", counted(store._plain_rows))
        monkeypatch.setattr(store, "_at_once", counted(store._at_once))
        try:
            r = api.post(f"{base}/{patron['patron_id']}/attendance", {"checked_in": True})
            assert (r.status_code, r.json()["checked_in"]) == (200, True)
            body = {"amount_cents": 4500, "method": "cash"}
            r = api.post(f"{base}/{patron['patron_id']}/payment", body)
            assert (r.status_code, r.json()["booking"]["payment_cleared"]) == (201, True)
            clock.advance(minutes=1)  # the roster is kept once its last change has settled
            into = made
            first = api.get(f"{base}/roster")
            into = kept
            again = api.get(f"{base}/roster")
            into = hot
            r = api.get(f"{base}/changes", params={"since": again.headers["ETag"].strip('"')})
            assert r.status_code == 304
        finally:
            sa_event.remove(store.engine, "checkout", taken)
    assert (first.status_code, [p["checked_in"] for p in first.json()["roster"]]) == (200, [True])
    assert (again.status_code, again.content) == (200, first.content)
    # A SQLite store keeps the sign-ins it read (storage/signin_cache.py): no read for them.
    sign_in = 0 if store._signins is not None else 1
    # The check-in's and the payment's read and write, the changes poll's marker, and the
    # three requests' sign-ins. On SQLite the check-in and the payment read in the
    # transaction they write in, opened before them (``Store.ready_to_write``): on its
    # connection, with no connection taken.
    reads = 0 if store.engine.dialect.name == "sqlite" else 2
    assert len(hot) == 3 + reads + 3 * sign_in, hot
    assert len(kept) == 2 + sign_in  # the kept roster: its sign-in, its marker and its credit
    if on_loop:
        assert set(hot) == set(kept) == {loop_thread}
        # The sign-in and the roster's marker on the loop; the roster made on one thread
        # of the pool: its event, bookings, receipt emails and credit.
        pool = [t for t in made if t != loop_thread]
        assert len(pool) == 4 and len(set(pool)) == 1
    else:
        assert loop_thread not in hot + made + kept
