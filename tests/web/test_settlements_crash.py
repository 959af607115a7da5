"""A weather call whose server is killed (SIGKILL) halfway through its plan, while Stripe's
stand-in holds a refund unanswered: after a restart, running the plan again finishes it with
nothing done twice."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from shipcaptaincrew.storage.sql import SqlStore
from tests.provider_server import ProviderServer, Seen
from tests.server import LiveServer

pytestmark = pytest.mark.slow


def test_a_killed_run_is_finished_after_a_restart(tmp_path: Path) -> None:
    stripe = ProviderServer().start()
    second_asked, release = threading.Event(), threading.Event()
    refunds: list[Seen] = []

    def answer(seen: Seen) -> tuple[int, Any]:
        refunds.append(seen)
        if len(refunds) == 2:  # the server dies while it waits for this answer
            second_asked.set()
            release.wait(30)
        return 200, {"id": f"re_{len(refunds)}", "object": "refund", "status": "pending"}

    stripe.answer = answer
    env = {
        "SCC_STRIPE_SECRET_KEY": "sk_test_x",
        "SCC_STRIPE_WEBHOOK_SECRET": "whsec_x",
        "SCC_STRIPE_API_URL": stripe.url,
        "SCC_MAIL_AFTER_COMMIT": "0",
    }
    server = LiveServer(tmp_path / "live", extra_env=env)
    server.prepare()
    server.start()
    try:
        admin = server.login()
        event = admin.post(
            "/api/events",
            json={
                "title": "Gusty",
                "starts_at": "2030-07-01T18:00:00+00:00",
                "price_cents": 4000,
                "currency": "USD",
            },
        ).json()
        ids = []
        for i, method in enumerate(["cash", "stripe", "stripe", "stripe", None]):
            p = admin.post(
                f"/api/events/{event['id']}/roster",
                json={"name": f"Party {i}", "email": f"p{i}@example.org"},
            ).json()
            ids.append(p["patron_id"])
            if method:
                body = {"amount_cents": 4000, "method": method, "reference": f"pi_{i}"}
                r = admin.post(f"/api/events/{event['id']}/{p['patron_id']}/payment", json=body)
                assert r.status_code == 201, r.text
        body = {"reason": "Gale", "default_action": "refund"}

        def cancel() -> None:
            with contextlib.suppress(httpx.HTTPError):  # the server dies under us
                admin.post(f"/api/events/{event['id']}/cancellation", json=body)

        caller = threading.Thread(target=cancel)
        caller.start()
        assert second_asked.wait(30)
        server.kill()
        release.set()
        caller.join(30)

        server.start()
        admin = server.login()
        [plan] = admin.get(f"/api/events/{event['id']}/settlements").json()["plans"]
        assert [s["state"] for s in plan["steps"]].count("done") == 2  # cash, first card
        r = admin.post(f"/api/events/{event['id']}/settlements/{plan['id']}/run", json={})
        assert r.status_code == 200, r.text
        assert [s["state"] for s in r.json()["steps"]] == ["done"] * 5
    finally:
        server.stop()
        stripe.stop()
    # Each card payment was asked of Stripe under one idempotency key; only the one whose
    # answer the killed server never read was asked again, with the same key.
    keys = Counter(s.headers["idempotency-key"] for s in refunds)
    assert sorted(keys.values()) == [1, 1, 2]
    assert len({s.form()["payment_intent"] for s in refunds}) == 3
    store = SqlStore(f"sqlite:///{server.var_dir / 'scc.db'}")
    try:
        mails = Counter(m.patron_id for m in store.list_outbox(limit=100) if m.kind == "settlement")
        assert mails == Counter(ids)  # one email each
        cash = [p for p in store.list_payments(event["id"], ids[0]) if p.is_refund]
        assert [p.amount_cents for p in cash] == [-4000]
    finally:
        store.close()
