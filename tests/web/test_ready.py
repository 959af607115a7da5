"""/api/ready: 200 only when the store answers a real query, 503 otherwise; no sign-in."""

from __future__ import annotations

from fastapi.testclient import TestClient

from shipcaptaincrew.storage.sql import SqlStore
from shipcaptaincrew.web.app import create_app
from tests.conftest import make_settings

NOT_READY = {
    "error": {"code": "not_ready", "message": "The database does not answer.", "details": {}}
}


def test_ready_when_the_store_answers(api) -> None:
    r = api.client.get("/api/ready")
    assert (r.status_code, r.json()) == (200, {"status": "ok"})


def _ready(tmp_path, store) -> tuple[int, dict, int]:
    app = create_app(make_settings(tmp_path), store=store)
    client = TestClient(app)
    r = client.get("/api/ready")
    return r.status_code, r.json(), client.get("/api/health").status_code


def test_not_ready_on_a_database_without_its_schema(tmp_path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'empty.db'}")
    assert _ready(tmp_path, store) == (503, NOT_READY, 200)  # alive, but not ready
    store.init_schema()
    assert _ready(tmp_path, store)[:2] == (200, {"status": "ok"})
    store.close()


def test_not_ready_when_postgresql_cannot_be_reached(tmp_path) -> None:
    store = SqlStore("postgresql://postgres@127.0.0.1:1/scc")  # nothing listens on port 1
    assert _ready(tmp_path, store) == (503, NOT_READY, 200)


def test_not_ready_when_the_dynamodb_table_is_missing(tmp_path, moto) -> None:
    from shipcaptaincrew.storage.dynamodb import DynamoStore

    store = DynamoStore.from_url(moto.url("scc-no-such-table"))
    assert _ready(tmp_path, store) == (503, NOT_READY, 200)
