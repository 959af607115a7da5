"""Shared fixtures: settings on a temporary folder, stores, a controllable clock, an API client."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shipcaptaincrew.config import Settings
from shipcaptaincrew.services.context import Context
from shipcaptaincrew.storage.sql import SqlStore
from tests.moto_server import CREDENTIALS, REGION, MotoServer
from tests.server import LiveServer


@pytest.fixture(scope="session", autouse=True)
def _test_grade_argon2() -> Iterator[None]:
    """Hash and verify with argon2-cffi's published test parameters (``profiles.CHEAPEST``):
    the same argon2id code, without 64 MiB and three passes per hash (about a quarter of a
    second each, hundreds of times a run). Server processes the tests start keep
    production's parameters for every hash they make (two tests hold them); the admin of
    their template database is hashed here (``tests/server.py``)."""
    from argon2 import PasswordHasher, profiles

    from shipcaptaincrew.services import passwords

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(passwords, "_hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))
        yield


class Clock:
    """A clock the test moves by hand (the app's clock is injectable)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 7, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def make_settings(var_dir: Path, **overrides: str) -> Settings:
    env = {
        "SCC_VAR_DIR": str(var_dir),
        "SCC_SECRET_KEY": "test-secret-key-0123456789abcdef",
        "SCC_DATABASE_URL": f"sqlite:///{var_dir / 'scc.db'}",
        "SCC_PUBLIC_URL": "http://testserver",
        **overrides,
    }
    return Settings.from_env(env)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once saves seconds)."""
    path = tmp_path_factory.mktemp("template") / "scc.db"
    store = SqlStore(f"sqlite:///{path}")
    store.init_schema()
    store.close()
    return path


@pytest.fixture
def sqlite_store(settings: Settings, _sqlite_template: Path) -> Iterator[SqlStore]:
    target = Path(settings.database_url.removeprefix("sqlite:///"))
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_sqlite_template, target)
    store = SqlStore(settings.database_url)
    yield store
    store.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    base = os.environ.get("SCC_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("SCC_TEST_POSTGRES_URL is not set")
    import secrets

    import sqlalchemy as sa

    from shipcaptaincrew.storage.sql import make_engine

    name = f"scc_test_{secrets.token_hex(4)}"
    admin = make_engine(base)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = base.rsplit("/", 1)[0] + "/" + name
    yield url
    admin.dispose()
    admin = make_engine(base)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def _pg_migrated(postgres_url: str) -> str:
    store = SqlStore(postgres_url)
    store.init_schema()
    store.close()
    return postgres_url


@pytest.fixture
def pg_store(_pg_migrated: str) -> Iterator[SqlStore]:
    """A migrated PostgreSQL store, emptied before each test."""
    import sqlalchemy as sa

    from shipcaptaincrew.storage import schema

    store = SqlStore(_pg_migrated)
    # DELETE, children first, rather than TRUNCATE: a test leaves a few rows, and TRUNCATE
    # makes every table's files anew (0.15-0.4 s a test here against about 0.01 s).
    with store.engine.begin() as conn:
        for table in reversed(schema.metadata.sorted_tables):
            if table.name != "counters":
                conn.execute(table.delete())
        conn.execute(sa.text("UPDATE counters SET value = 0"))
        for (sequence,) in conn.execute(
            sa.text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
        ):
            conn.execute(sa.text(f'ALTER SEQUENCE "{sequence}" RESTART'))
    yield store
    store.close()


@pytest.fixture
def ctx(sqlite_store: SqlStore, settings: Settings, clock: Clock) -> Context:
    return Context(store=sqlite_store, settings=settings, clock=clock)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The real server process on a free port, on a fresh SQLite file, with an admin."""
    server = LiveServer(tmp_path / "live")
    server.prepare()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def moto() -> Iterator[MotoServer]:
    """moto's DynamoDB on a free local port for the session; dummy credentials for boto3."""
    server = MotoServer()
    server.start()
    with pytest.MonkeyPatch.context() as mp:
        for name, value in CREDENTIALS.items():
            mp.setenv(name, value)
        yield server
    server.stop()


@pytest.fixture(scope="session")
def dynamo_client(moto: MotoServer) -> Iterator[Any]:
    """One DynamoDB client (the stores' own kind, ``make_client``) for the session's stores:
    each test has a table of its own, and making a client costs about 20 ms."""
    from shipcaptaincrew.storage.dynamo_base import make_client

    client = make_client(region=REGION, endpoint_url=moto.endpoint)
    yield client
    client.close()


@pytest.fixture
def dynamo_store(dynamo_client: Any) -> Iterator[Any]:
    """A DynamoStore on a fresh table in the moto server, its schema made."""
    from shipcaptaincrew.domain.models import new_id
    from shipcaptaincrew.storage.dynamodb import DynamoStore

    store = DynamoStore(new_id("scc"), client=dynamo_client)
    store.init_schema()
    yield store
    store.close()


@pytest.fixture
def dynamo_ctx(
    moto: MotoServer, dynamo_store: Any, settings: Settings, clock: Clock
) -> Iterator[Context]:
    """A Context on ``dynamo_store``."""
    import dataclasses

    url = moto.url(dynamo_store.table)
    yield Context(
        store=dynamo_store, settings=dataclasses.replace(settings, database_url=url), clock=clock
    )


# Modules whose tests share a module- or session-wide server, browser, provider stand-in or
# Lambda package: each runs whole on one worker, so nothing is started twice. (Every module
# of tests/e2e/ too.) The collection hook below refuses a module missing from this list.
SHARED_MODULES = {
    "tests/aws/test_route_coverage.py",
    "tests/notify/test_gmail.py",
    "tests/services/test_settlements.py",
    "tests/test_aws_package.py",
    "tests/web/test_live_email.py",
    "tests/web/test_webhooks_paypal.py",
    "tests/web/test_webhooks_stripe.py",
}
# Started first, so the longest units never finish last on one worker.
FIRST = ("tests/test_aws_package.py", "tests/web/test_fuzz.py", "tests/e2e/")


def _module(nodeid: str) -> str:
    return nodeid.split("::")[0]


def _shared(module: str) -> bool:
    return module in SHARED_MODULES or module.startswith("tests/e2e/")


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under pytest-xdist (``-n``, on by default) tests go one by one to whichever worker is
    free, except a shared module's, which go together."""
    from xdist.scheduler import LoadScopeScheduling

    class ByTestOrSharedModule(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = _module(nodeid)
            return module if _shared(module) else nodeid

    return ByTestOrSharedModule(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest units first; and a module using a shared fixture must be listed."""
    ours = (
        "_sqlite_template",
        "postgres_url",
        "_pg_migrated",
        "moto",
        "dynamo_client",
        "_test_grade_argon2",
    )
    for item in items:
        module = _module(item.nodeid)
        info = getattr(item, "_fixtureinfo", None)
        if info is None or _shared(module):
            continue
        for name, defs in info.name2fixturedefs.items():
            if name not in ours and any(
                d.scope in ("module", "session") and d.func.__module__.startswith("tests.")
                for d in defs
            ):
                raise pytest.UsageError(
                    f"{module} uses the shared fixture {name}: add it to SHARED_MODULES in "
                    "tests/conftest.py"
                )
    rank = {m: i for i, m in enumerate(FIRST)}
    items.sort(
        key=lambda it: next(
            (i for m, i in rank.items() if _module(it.nodeid).startswith(m)), len(FIRST)
        )
    )
