"""The app ``scc serve`` builds (``create_app_from_env``) and Lambda's handler leave what
they are made of out of the garbage collector's full passes (``settle_heap``); while it
serves, its thread pool is the size its store asks for."""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from anyio.to_thread import current_default_thread_limiter
from fastapi.testclient import TestClient

from shipcaptaincrew.config import Settings
from shipcaptaincrew.storage.sql_base import SQLITE_CONCURRENCY
from shipcaptaincrew.web.app import create_app, create_app_from_env, settle_heap


@pytest.fixture
def thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the test process's own heap goes back to the collector


def test_the_served_app_is_built_and_then_its_heap_is_frozen(
    thawed: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCC_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("SCC_DATABASE_URL", f"sqlite:///{tmp_path / 'scc.db'}")
    monkeypatch.setenv("SCC_SECRET_KEY", "test-secret-key-0123456789abcdef")
    assert gc.get_freeze_count() == 0
    create_app_from_env()
    assert gc.get_freeze_count() > 10_000  # the modules and the app: all of this process


def test_a_collection_first_leaves_garbage_out_of_the_frozen_heap(thawed: None) -> None:
    gc.disable()  # no automatic collection frees the cycles before the freeze
    try:
        for _ in range(1000):
            cycle: list[object] = []
            cycle.append(cycle)  # unreachable once the next one is made: only a collection frees it
        del cycle
        settle_heap(collect=False)  # Lambda's cold start: the garbage is frozen with the rest
        with_garbage = gc.get_freeze_count()
        gc.unfreeze()
        settle_heap(collect=True)
    finally:
        gc.enable()
    assert 0 < gc.get_freeze_count() <= with_garbage - 1000


@pytest.mark.parametrize(
    ("store_fixture", "threads"),
    [("sqlite_store", SQLITE_CONCURRENCY), ("pg_store", 40), ("dynamo_store", 40)],
)
def test_while_serving_the_thread_pool_holds_what_the_store_asks_for(
    request: pytest.FixtureRequest, settings: Settings, store_fixture: str, threads: int
) -> None:
    """SQLite's one writer and Python's one running thread: four threads, not anyio's 40;
    the stores that wait on the network keep anyio's."""
    store = request.getfixturevalue(store_fixture)
    app = create_app(dataclasses.replace(settings, mail_after_commit=False), store=store)
    with TestClient(app) as client:
        assert client.portal.call(lambda: current_default_thread_limiter().total_tokens) == threads
        assert client.get("/api/health").json() == {"status": "ok"}
