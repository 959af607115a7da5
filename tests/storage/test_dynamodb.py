"""The store contract on DynamoDB (moto's server mode on a local port, a fresh table per test)."""

import pytest

from shipcaptaincrew.storage.dynamodb import DynamoStore
from tests.storage.contract import StoreContract


class TestDynamoStore(StoreContract):
    @pytest.fixture
    def store(self, dynamo_store: DynamoStore) -> DynamoStore:
        return dynamo_store
