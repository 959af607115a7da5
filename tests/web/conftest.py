"""An API client on a fresh app and SQLite file, with a signed-in crew member of each role
(added when a test first acts in that role)."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shipcaptaincrew.domain.models import Role, new_id
from shipcaptaincrew.services.context import Context
from shipcaptaincrew.web.app import create_app
from tests import factories as f
from tests.lambda_client import LambdaClient


class Tokens(dict[Role, str]):
    """A bearer token per role, for a crew member of that role (``<role>@example.org``)
    added and signed in when a test first asks for that role: most tests act as the admin
    only, and each member is two writes (four DynamoDB requests)."""

    def __init__(self, ctx: Context) -> None:
        super().__init__()
        self.ctx = ctx
        self._adding = threading.Lock()  # threads of one test may ask for a role at once

    def __missing__(self, role: Role) -> str:
        with self._adding:
            if role not in self:
                member = f.crew_fast(self.ctx, role, email=f"{role.value}@example.org")
                self[role] = f.session_for(self.ctx, member)
            return self[role]

    def everyone(self) -> None:
        """Add and sign in a member of every role now: for a test that reads the crew list
        or moves the clock before it acts."""
        for role in Role:
            self[role]


@dataclass
class Api:
    client: Any  # TestClient or LambdaClient
    ctx: Context
    tokens: Tokens

    def headers(self, role: Role = Role.ADMIN, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}", **extra}

    def get(self, path: str, role: Role = Role.ADMIN, **kw: Any) -> Any:
        return self.client.get(path, headers=self.headers(role, **kw.pop("headers", {})), **kw)

    def post(self, path: str, json: Any = None, role: Role = Role.ADMIN, **kw: Any) -> Any:
        headers = self.headers(role, **kw.pop("headers", {}))
        return self.client.post(path, json=json, headers=headers, **kw)

    def patch(self, path: str, json: Any = None, role: Role = Role.ADMIN, **kw: Any) -> Any:
        headers = self.headers(role, **kw.pop("headers", {}))
        return self.client.patch(path, json=json, headers=headers, **kw)

    def event(self, **kw: Any) -> dict[str, Any]:
        body = {
            "title": "Sunset Cruise",
            "starts_at": "2026-07-01T18:00:00-04:00",
            "ends_at": "2026-07-01T20:00:00-04:00",
            "location": "Pier 3",
            "capacity": 20,
            "price_cents": 4500,
            "currency": "USD",
            **kw,
        }
        r = self.post("/api/events", body)
        assert r.status_code == 201, r.text
        return r.json()

    def patron(
        self, event_id: str, name: str = "Pat Doe", email: str | None = None, party_size: int = 1
    ) -> dict[str, Any]:
        email = email or f"{name.lower().replace(' ', '.')}.{new_id('p')}@example.com"
        r = self.post(
            f"/api/events/{event_id}/roster",
            {"name": name, "email": email, "party_size": party_size},
        )
        assert r.status_code == 201, r.text
        return r.json()


@pytest.fixture(params=["asgi", "lambda"])
def api(request: pytest.FixtureRequest, ctx: Context) -> Iterator[Api]:
    """Each API test runs twice: in-process on SQLite, and through the Lambda Function URL
    handler on DynamoDB (moto server)."""
    if request.param == "lambda":
        ctx = request.getfixturevalue("dynamo_ctx")
    # In-process delivery after each commit is tested on its own (test_email.py): here the
    # outbox stays as the request left it, so answers and audit trails are deterministic.
    settings = dataclasses.replace(ctx.settings, mail_after_commit=False)
    app = create_app(settings, store=ctx.store, clock=ctx.clock)
    ctx = app.state.ctx  # the app's own wiring, as it serves
    client: Any = TestClient(app) if request.param == "asgi" else LambdaClient(app)
    yield Api(client, ctx, Tokens(ctx))
    client.close()


def client_for(app: Any, ctx: Context, **kw: Any) -> Any:
    """TestClient for the in-process run, the Function URL client for the DynamoDB run
    (modules that build their own app override ``ctx`` with ``both_backends``)."""
    from shipcaptaincrew.storage.sql import SqlStore

    return TestClient(app, **kw) if isinstance(ctx.store, SqlStore) else LambdaClient(app)


def both_backends(request: pytest.FixtureRequest, ctx: Context) -> Context:
    """Body of a module's ``ctx`` override: SQLite in-process, then DynamoDB via Lambda."""
    return request.getfixturevalue("dynamo_ctx") if request.param == "lambda" else ctx


def roster_afresh(api: Api, event_id: str) -> Any:
    """The roster from a new app on the same store (nothing kept), uncompressed."""
    app = create_app(api.ctx.settings, store=api.ctx.store, clock=api.ctx.clock)
    client = client_for(app, api.ctx)
    try:
        headers = api.headers(Role.CREW, **{"Accept-Encoding": "identity"})
        r = client.get(f"/api/events/{event_id}/roster", headers=headers)
        assert r.status_code == 200, r.text
        return r
    finally:
        client.close()
