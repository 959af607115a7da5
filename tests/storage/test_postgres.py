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
