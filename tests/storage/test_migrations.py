"""The Alembic migrations build exactly the tables in storage/schema.py."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from shipcaptaincrew.storage.migrate import alembic_config
from shipcaptaincrew.storage.schema import SCHEMA_HEAD, metadata
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


def test_schema_head_is_alembics_head_and_decides_current(sqlite_store: SqlStore) -> None:
    scripts = ScriptDirectory.from_config(alembic_config(sqlite_store.engine))
    assert scripts.get_heads() == [SCHEMA_HEAD]
    assert sqlite_store.schema_is_current()
    with sqlite_store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0009'"))
    assert not sqlite_store.schema_is_current()
    with sqlite_store.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE alembic_version"))
    assert not sqlite_store.schema_is_current()
