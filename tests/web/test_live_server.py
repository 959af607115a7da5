"""Against the real server process: simultaneous phones, and a kill in the middle of writes."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.server import ADMIN_EMAIL, LiveServer, running

pytestmark = pytest.mark.slow


def _seed(client: httpx.Client, patrons: int, price: int = 4500) -> tuple[str, list[str]]:
    event = client.post(
        "/api/events",
        json={"title": "Burst", "price_cents": price, "starts_at": "2030-07-01T10:00:00Z"},
    ).json()
    ids = []
    for i in range(patrons):
        r = client.post(
            f"/api/events/{event['id']}/roster",
            json={"name": f"Guest {i}", "email": f"guest{i}@example.com"},
        )
        assert r.status_code == 201, r.text
        ids.append(r.json()["patron_id"])
    return event["id"], ids


def test_two_phones_same_key_same_moment_make_one_payment(tmp_path) -> None:
    with running(tmp_path / "srv", workers=2) as server:
        admin = server.login()
        event_id, [patron_id] = _seed(admin, 1)
        token = admin.headers["Authorization"]
        phones = 8
        barrier = threading.Barrier(phones)

        def phone(_i: int) -> tuple[int, str]:
            with httpx.Client(
                base_url=server.url, timeout=30, headers={"Authorization": token}
            ) as c:
                barrier.wait()
                r = c.post(
                    f"/api/events/{event_id}/{patron_id}/payment",
                    json={"amount_cents": 4500, "method": "cash"},
                    headers={"Idempotency-Key": "dock-7f3a"},
                )
                return r.status_code, r.json()["payment"]["id"]

        with ThreadPoolExecutor(phones) as pool:
            results = list(pool.map(phone, range(phones)))
        codes = sorted(code for code, _ in results)
        assert codes == [200] * (phones - 1) + [201]
        assert len({pid for _, pid in results}) == 1
        status = admin.get(f"/api/events/{event_id}/{patron_id}/payment").json()
        assert len(status["payments"]) == 1
        assert status["amount_paid_cents"] == 4500


def test_every_acknowledged_payment_survives_a_kill(tmp_path) -> None:
    server = LiveServer(tmp_path / "srv")
    server.prepare()
    server.start()
    admin = server.login()
    event_id, patron_ids = _seed(admin, 60, price=1000)
    token = admin.headers["Authorization"]
    acknowledged: dict[str, str] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def writer(chunk: list[str]) -> None:
        with httpx.Client(base_url=server.url, timeout=5, headers={"Authorization": token}) as c:
            for patron_id in chunk:
                if stop.is_set():
                    return
                try:
                    r = c.post(
                        f"/api/events/{event_id}/{patron_id}/payment",
                        json={"amount_cents": 1000, "method": "card"},
                        headers={"Idempotency-Key": f"kill-{patron_id}"},
                    )
                except httpx.HTTPError:
                    return  # the server died under us: this one was never acknowledged
                if r.status_code in (200, 201):
                    with lock:
                        acknowledged[patron_id] = r.json()["payment"]["id"]

    chunks = [patron_ids[i::4] for i in range(4)]
    threads = [threading.Thread(target=writer, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 25 and time.monotonic() < deadline:
        time.sleep(0.005)
    server.kill()
    stop.set()
    for t in threads:
        t.join()
    assert 25 <= len(acknowledged) < len(patron_ids)

    server.start()
    try:
        admin = server.login()
        roster = {
            b["patron_id"]: b for b in admin.get(f"/api/events/{event_id}/roster").json()["roster"]
        }
        for patron_id, payment_id in acknowledged.items():
            status = admin.get(f"/api/events/{event_id}/{patron_id}/payment").json()
            assert [p["id"] for p in status["payments"]] == [payment_id]
            assert roster[patron_id]["payment_cleared"] is True
        # Nothing half-written: every booking agrees with its payments and audit trail.
        audit = admin.get(f"/api/audit?event_id={event_id}&limit=1000").json()["entries"]
        logged = {e["data"]["payment_id"] for e in audit if e["action"] == "payment.logged"}
        for patron_id, booking in roster.items():
            payments = admin.get(f"/api/events/{event_id}/{patron_id}/payment").json()
            assert booking["amount_paid_cents"] == sum(
                p["amount_cents"] for p in payments["payments"]
            )
            assert {p["id"] for p in payments["payments"]} <= logged
    finally:
        server.stop()


def test_the_real_commands_hash_passwords_with_rfc_9106_parameters(tmp_path: Path) -> None:
    """The tests hash with argon2's test parameters in-process (conftest), and so does the
    live servers' template admin; a process the tests start keeps production's: argon2id,
    64 MiB, 3 passes, 4 lanes."""
    import sqlite3

    maker = LiveServer(tmp_path)
    maker.prepare()
    maker.scc(
        "create-user",
        "--email",
        "ops@example.org",
        "--name",
        "Ops Person",
        "--role",
        "admin",
        env={"SCC_NEW_USER_PASSWORD": "correct-horse-battery"},
    )
    with sqlite3.connect(tmp_path / "scc.db") as db:
        hashes = dict(db.execute("SELECT email, password_hash FROM crew").fetchall())
    assert hashes["ops@example.org"].startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert hashes["admin@example.org"].startswith("$argon2id$v=19$m=8,t=1,p=1$")


def test_a_member_deactivated_from_the_command_line_is_signed_out_of_every_worker(
    tmp_path,
) -> None:
    """Each worker keeps the sign-ins it has read (storage/signin_cache.py); `scc user
    deactivate`, a process of its own on the same file, ends them in every worker at once."""
    with running(tmp_path / "srv", workers=2) as server:
        token = server.login().headers["Authorization"]

        def statuses() -> list[int]:
            """The events list asked 24 times, each on a connection of its own (new
            connections are shared out between the workers)."""
            out = []
            for _ in range(24):
                with httpx.Client(
                    base_url=server.url, timeout=30, headers={"Authorization": token}
                ) as c:
                    out.append(c.get("/api/events").status_code)
            return out

        assert statuses() == [200] * 24  # read once per worker, then kept
        server.scc("user", "deactivate", ADMIN_EMAIL)
        assert statuses() == [401] * 24
