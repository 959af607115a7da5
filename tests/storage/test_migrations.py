"""The Alembic migrations build exactly the tables in storage/schema.py."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shipcaptaincrew.storage.schema import metadata
from shipcaptaincrew.storage.sql import SqlStore


def _diff(store: SqlStore) -> list:
    with store.engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), metadata)


def test_sqlite_migrations_match_schema(sqlite_store: SqlStore) -> None:
    assert _diff(sqlite_store) == []


def test_postgres_migrations_match_schema(pg_store: SqlStore) -> None:
    assert _diff(pg_store) == []


def test_migrating_twice_changes_nothing(sqlite_store: SqlStore) -> None:
    sqlite_store.init_schema()
    assert _diff(sqlite_store) == []
