"""The store contract on DynamoDB (moto's server mode on a local port, a fresh table per test)."""

from collections.abc import Iterator

import pytest

from shipcaptaincrew.domain.models import new_id
from shipcaptaincrew.storage.dynamodb import DynamoStore
from tests.moto_server import MotoServer
from tests.storage.contract import StoreContract


class TestDynamoStore(StoreContract):
    @pytest.fixture
    def store(self, moto: MotoServer) -> Iterator[DynamoStore]:
        store = DynamoStore.from_url(moto.url(new_id("scc")))
        store.init_schema()
        yield store
        store.close()
