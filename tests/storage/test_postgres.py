"""The store contract on PostgreSQL (CI's server; skipped when SCC_TEST_POSTGRES_URL is unset)."""

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
    ended while idle is replaced before a read meets it; one just used is not pinged."""
    import sqlalchemy as sa

    from shipcaptaincrew.storage import sql_base

    assert pg_store.get_event("evt_none") is None  # a connection now in the pool
    assert _end_other_connections(pg_store) == 1
    monkeypatch.setattr(sql_base, "PING_IDLE_S", 3600.0)  # "just used": not pinged
    with pytest.raises(sa.exc.OperationalError):
        pg_store.get_event("evt_none")
    assert pg_store.get_event("evt_none") is None  # the pool has let the dead one go

    assert _end_other_connections(pg_store) == 1
    monkeypatch.setattr(sql_base, "PING_IDLE_S", 0.0)  # idle: pinged, found gone, replaced
    assert pg_store.get_event("evt_none") is None
    assert pg_store.get_event("evt_none") is None
