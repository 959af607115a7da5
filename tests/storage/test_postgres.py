"""The store contract on PostgreSQL (CI's server; skipped when SCC_TEST_POSTGRES_URL is unset)."""

import pytest

from shipcaptaincrew.storage.sql import SqlStore
from tests.storage.contract import StoreContract


class TestPostgresStore(StoreContract):
    @pytest.fixture
    def store(self, pg_store: SqlStore) -> SqlStore:
        return pg_store
