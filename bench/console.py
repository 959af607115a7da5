"""Dispatch console benchmark: the real server, a 500-patron event, headless Chromium.

Prints (1) the time from navigation to a rendered 500-patron roster, median of several
cold loads, where "rendered" means the last card is in the DOM (and, for reference, the
next animation frame after that), and (2) the bytes transferred for the console's first
load: the console's own files (HTML, CSS, JS) and the API data it fetched, as transferred
(encoded body plus headers). Saves a phone-sized screenshot to docs/console.png. Then the
dock-mode figures (bench/dock.py): the repeat load from the service worker, 50 offline
actions synced on reconnect, an unchanged roster poll, and the live-sync fan-out.

    .venv/bin/python bench/console.py [--patrons 500] [--loads 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import dock  # noqa: E402
from playwright.sync_api import Browser, sync_playwright  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE  # noqa: E402
from tests.server import LiveServer  # noqa: E402

WATCH_LAST_CARD = """
window.__bench = {};
new MutationObserver((_, observer) => {
  if (document.querySelector('li[data-patron="%s"]')) {
    window.__bench.dom = performance.now();
    requestAnimationFrame(() => { window.__bench.frame = performance.now(); });
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true });
"""


def seed(server: LiveServer, patrons: int) -> tuple[str, str, str, str]:
    """An event with ``patrons`` bookings (some paid, checked in, with waivers)."""
    api = server.login()
    r = api.post(
        "/api/events",
        json={
            "title": "Harbour sunset cruise",
            "starts_at": "2030-07-01T18:00:00+00:00",
            "location": "Pier 3",
            "price_cents": 4500,
            "currency": "USD",
        },
    )
    r.raise_for_status()
    event_id = r.json()["id"]
    last = first = ""
    for i in range(patrons):
        r = api.post(
            f"/api/events/{event_id}/roster",
            json={"name": f"Patron {i:03d} Okafor", "email": f"p{i}@example.org"},
        )
        r.raise_for_status()
        last = r.json()["patron_id"]
        first = first or last
        if i % 3 == 0:
            api.post(
                f"/api/events/{event_id}/{last}/payment",
                json={"amount_cents": 4500, "method": "cash"},
            ).raise_for_status()
        if i % 4 == 0:
            api.post(f"/api/events/{event_id}/{last}/waiver", json={"kind": "paper"})
        if i % 5 == 0:
            api.post(f"/api/events/{event_id}/{last}/attendance", json={"checked_in": True})
    token = api.headers["Authorization"].split()[1]
    api.close()
    return event_id, last, token, first


def load_once(
    browser: Browser,
    server: LiveServer,
    event_id: str,
    last: str,
    token: str,
    screenshot: Path | None = None,
    waterfall: bool = False,
) -> dict[str, float]:
    """One cold load (fresh context, empty cache) of the roster page."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True)
    context.add_cookies([{"name": "scc_session", "value": token, "url": server.url}])
    page = context.new_page()
    page.add_init_script(WATCH_LAST_CARD % last)
    bodies: dict[str, int] = {"console": 0, "api": 0}
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(f"{server.url}/#/events/{event_id}", wait_until="commit")
    deadline = time.monotonic() + 30
    timing = page.evaluate("window.__bench || {}")
    while not timing.get("frame"):  # polled: the times themselves are taken in the page
        if time.monotonic() > deadline:
            raise RuntimeError("the roster did not render in 30 s")
        time.sleep(0.02)
        timing = page.evaluate("window.__bench || {}")
    # Not "networkidle": the live-sync stream keeps one request open for good.
    page.wait_for_load_state("load")
    page.locator("html[data-live]").wait_for(state="attached")
    for response in responses:
        if response.headers.get("content-type", "").startswith("text/event-stream"):
            continue  # the live-sync stream never ends: its size is never known
        kind = "api" if "/api/" in response.url or "/admin/" in response.url else "console"
        sizes = response.request.sizes()  # encoded: what crossed the wire (gzip included)
        bodies[kind] += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    if waterfall:
        for e in page.evaluate(
            "performance.getEntriesByType('resource')"
            ".map(e => [e.name, e.startTime, e.responseEnd])"
        ):
            print(f"    {e[1]:7.0f} {e[2]:7.0f}  {e[0].split('/', 3)[-1]}")
    if screenshot:
        page.evaluate("window.scrollTo(0, document.querySelector('#roster-count').offsetTop - 8)")
        page.screenshot(path=str(screenshot))
    context.close()
    return {"dom": timing["dom"], "frame": timing["frame"], **bodies, "requests": len(responses)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patrons", type=int, default=500)
    parser.add_argument("--loads", type=int, default=7)
    parser.add_argument("--waterfall", action="store_true", help="print one load's requests")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = LiveServer(Path(tmp))
        server.prepare()
        server.start()
        try:
            print(f"seeding {args.patrons} patrons ...", flush=True)
            event_id, last, token, first_patron = seed(server, args.patrons)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                load_once(browser, server, event_id, last, token, waterfall=args.waterfall)
                runs = [
                    load_once(browser, server, event_id, last, token) for _ in range(args.loads)
                ]
                load_once(browser, server, event_id, last, token, ROOT / "docs" / "console.png")
                figures = {
                    "repeat": dock.repeat_load(browser, server, event_id, last, token),
                    "queue": dock.offline_queue(browser, server, token),
                }
                browser.close()
            figures["poll"] = dock.unchanged_poll(server, event_id, token)
            figures["fan"] = dock.fan_out(server, event_id, first_patron, token)
        finally:
            server.stop()
    dom = statistics.median(r["dom"] for r in runs)
    frame = statistics.median(r["frame"] for r in runs)
    first = runs[0]
    print(f"roster of {args.patrons} patrons, {args.loads} cold loads in headless Chromium")
    print(
        f"  navigation -> last card in DOM:   median {dom:6.0f} ms "
        f"(min {min(r['dom'] for r in runs):.0f}, max {max(r['dom'] for r in runs):.0f})"
    )
    print(f"  navigation -> next frame painted: median {frame:6.0f} ms")
    print(f"first load: {first['requests']:.0f} responses")
    print(f"  console files (HTML, CSS, JS):    {first['console'] / 1024:6.1f} KB")
    print(f"  API data (session + roster):      {first['api'] / 1024:6.1f} KB")
    print(f"  total:                            {(first['console'] + first['api']) / 1024:6.1f} KB")
    print(f"screenshot: {ROOT / 'docs' / 'console.png'}")
    dock.report(figures)


if __name__ == "__main__":
    main()
