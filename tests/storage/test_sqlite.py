"""The store contract on SQLite (a real file)."""

import pytest

from shipcaptaincrew.storage.sql import SqlStore
from tests.storage.contract import StoreContract


class TestSqliteStore(StoreContract):
    @pytest.fixture
    def store(self, sqlite_store: SqlStore) -> SqlStore:
        return sqlite_store
