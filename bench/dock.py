"""Dock-mode figures for bench/console.py: the repeat load from the service worker, a queue
of 50 offline actions synced on reconnect, the cost of an unchanged roster poll, and the
Server-Sent Events fan-out to 20 listening phones per change."""

from __future__ import annotations

import statistics
import threading
import time
from typing import Any

import httpx
from playwright.sync_api import Browser
from tests.e2e.conftest import PHONE
from tests.server import LiveServer

WAIT_RENDER = """(last) => new Promise((done) => {
  const t0 = performance.timeOrigin;
  const seen = () => document.querySelector(`li[data-patron="${last}"]`);
  if (seen()) return done(performance.now());
  new MutationObserver((_, o) => { if (seen()) { o.disconnect(); done(performance.now()); } })
    .observe(document, { childList: true, subtree: true });
})"""


def _until(page: Any, expression: str, seconds: float = 30) -> None:
    """Poll an expression (wait_for_function would eval a string: the CSP forbids it)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise RuntimeError(f"still false after {seconds} s: {expression}")
        time.sleep(0.005)


def repeat_load(
    browser: Browser, server: LiveServer, event_id: str, last: str, token: str
) -> dict[str, float]:
    """Load once (the worker installs), then reload several times: the console's files come
    from the service worker; the roster itself still comes from the server."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True)
    context.add_cookies([{"name": "scc_session", "value": token, "url": server.url}])
    page = context.new_page()
    page.goto(f"{server.url}/#/events/{event_id}")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    _until(page, "navigator.serviceWorker.controller !== null")
    times, from_worker = [], 0
    for _ in range(5):
        page.reload(wait_until="commit")
        times.append(page.evaluate(WAIT_RENDER, last))
        from_worker = page.evaluate(
            "performance.getEntriesByType('resource')"
            ".filter(e => e.name.endsWith('/console.js') && "
            "(e.workerStart > 0 || e.deliveryType === 'cache' || e.transferSize === 0)).length"
        )
    page.context.set_offline(True)
    page.reload(wait_until="commit")
    offline = page.evaluate(WAIT_RENDER, last)
    context.close()
    return {"median": statistics.median(times), "offline": offline, "modules": from_worker}


def ready_event(server: LiveServer, token: str, n: int) -> str:
    """An event of ``n`` patrons, each paid with a waiver on file (the gate lets them by)."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as api:
        r = api.post(
            "/api/events",
            json={
                "title": "Harbour queue cruise",
                "starts_at": "2030-07-02T18:00:00+00:00",
                "price_cents": 4500,
                "currency": "USD",
            },
        )
        event_id = r.json()["id"]
        for i in range(n):
            body = {"name": f"Queued {i:02d} Berg", "email": f"q{i}@example.org"}
            pid = api.post(f"/api/events/{event_id}/roster", json=body).json()["patron_id"]
            api.post(
                f"/api/events/{event_id}/{pid}/payment",
                json={"amount_cents": 4500, "method": "cash"},
            )
            api.post(f"/api/events/{event_id}/{pid}/waiver", json={"kind": "paper"})
    return event_id


def offline_queue(
    browser: Browser, server: LiveServer, token: str, n: int = 50
) -> dict[str, float]:
    """Check in ``n`` patrons with no signal, then time the reconnect until every action is
    on the server and every card has settled."""
    event_id = ready_event(server, token, n)
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True)
    context.add_cookies([{"name": "scc_session", "value": token, "url": server.url}])
    page = context.new_page()
    page.goto(f"{server.url}/#/events/{event_id}")
    page.locator("#roster-list li").first.wait_for()
    context.set_offline(True)
    buttons = page.locator(
        '#roster-list li:not(:has(button[aria-pressed="true"])) button[data-action="checkin"]'
    )
    for _ in range(n):
        buttons.first.click()
    _until(page, f"document.querySelectorAll('.queued').length === {n}")
    started = time.perf_counter()
    context.set_offline(False)
    _until(page, "document.querySelectorAll('.queued').length === 0", 60)
    synced = time.perf_counter() - started
    context.close()
    return {"actions": n, "seconds": synced}


def unchanged_poll(
    server: LiveServer, event_id: str, token: str, runs: int = 200
) -> dict[str, Any]:
    """An unchanged roster poll, both ways: /changes?since=cursor and the roster with
    If-None-Match. Bytes on the wire (status line, headers, body) and time per request."""
    out: dict[str, Any] = {}
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as api:
        roster = api.get(f"/api/events/{event_id}/roster")
        cursor, etag = roster.json()["cursor"], roster.headers["etag"]
        out["roster_bytes"] = len(roster.content)
        for name, path, headers in (
            ("changes", f"/api/events/{event_id}/changes?since={cursor}", {}),
            ("etag", f"/api/events/{event_id}/roster", {"If-None-Match": etag}),
        ):
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                r = api.get(path, headers=headers)
                times.append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 304, r.status_code
            head = sum(len(k) + len(v) + 4 for k, v in r.headers.items()) + len(
                "HTTP/1.1 304 Not Modified\r\n\r\n"
            )
            out[name] = {"ms": statistics.median(times), "bytes": head + len(r.content)}
    return out


def fan_out(
    server: LiveServer, event_id: str, patron_id: str, token: str, listeners: int = 20
) -> dict[str, float]:
    """``listeners`` phones hold the event's stream; one check-in; how long until each has
    the new cursor (from the moment the change was acknowledged)."""
    headers = {"Authorization": f"Bearer {token}"}
    ready = threading.Barrier(listeners + 1)
    received: list[float] = []
    lock = threading.Lock()

    def listen() -> None:
        with (
            httpx.Client(base_url=server.url, headers=headers, timeout=30) as client,
            client.stream("GET", f"/api/events/{event_id}/live") as stream,
        ):
            first = None
            for line in stream.iter_lines():
                if not line.startswith("data: "):
                    continue
                if first is None:
                    first = line
                    ready.wait()
                    continue
                if line != first:
                    with lock:
                        received.append(time.perf_counter())
                    return

    threads = [threading.Thread(target=listen, daemon=True) for _ in range(listeners)]
    for thread in threads:
        thread.start()
    ready.wait(timeout=30)
    with httpx.Client(base_url=server.url, headers=headers) as api:
        r = api.post(f"/api/events/{event_id}/{patron_id}/attendance", json={"checked_in": False})
        acknowledged = time.perf_counter()
        assert r.status_code == 200, r.text
    for thread in threads:
        thread.join(timeout=10)
    lags = sorted((t - acknowledged) * 1000 for t in received)
    return {
        "listeners": listeners,
        "received": len(lags),
        "median": statistics.median(lags),
        "max": lags[-1],
    }


def report(figures: dict[str, Any]) -> None:
    rep, queue, poll, fan = (figures[k] for k in ("repeat", "queue", "poll", "fan"))
    print("dock mode")
    where = "from the worker" if rep["modules"] else "NOT from the worker"
    print(
        f"  repeat load from the service worker: median {rep['median']:6.0f} ms to the last card "
        f"(the console's script {where}); offline reload {rep['offline']:.0f} ms"
    )
    n, seconds = queue["actions"], queue["seconds"]
    print(f"  reconnect with {n} queued actions: all synced in {seconds:.2f} s")
    print(f"  unchanged poll (full roster is {poll['roster_bytes'] / 1024:.1f} KB):")
    for name, label in (("changes", "/changes?since=cursor"), ("etag", "/roster If-None-Match")):
        cost = poll[name]
        print(f"    {label} -> 304: {cost['bytes']} bytes, median {cost['ms']:.1f} ms")
    print(
        f"  SSE fan-out: {fan['received']} of {fan['listeners']} listeners had the change in "
        f"median {fan['median']:.0f} ms, max {fan['max']:.0f} ms after it was acknowledged"
    )
