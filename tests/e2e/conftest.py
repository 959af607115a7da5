"""Browser fixtures: Debian's Chromium driven by Playwright (never a downloaded browser),
phone-sized console pages, helpers to seed data through the API, and axe-core."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.server import ADMIN_EMAIL, ADMIN_PASSWORD, LiveServer, running

# Assertions about a page wait as long as its actions do (``page.set_default_timeout``
# below): on a loaded machine /docs takes more than expect's default 5 s to render Swagger
# UI's script.
expect.set_options(timeout=10_000)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-output" / "screenshots"

_EVENT_NUMBERS = itertools.count(1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is a browser test: `-m e2e` picks them, `-m "not e2e"` skips."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One real server for the browser tests of a test process (each module runs whole on
    one): each test seeds its own event and patrons, and starting a server with its
    delivery process costs about 2 s of CPU."""
    with running(tmp_path_factory.mktemp("live")) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test` (it installs Debian's chromium)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def api(live_server: LiveServer) -> Iterator[httpx.Client]:
    """The server's admin, signed in once, for seeding and checking through the API."""
    client = live_server.login()
    yield client
    client.close()


PHONE_OPTIONS: dict[str, Any] = {"viewport": PHONE, "device_scale_factor": 1, "is_mobile": True}


class Phones:
    """Browser contexts kept for the whole run, one per kind of phone, wiped before each
    test: on this machine a new context costs Chromium about 1 s of CPU (a profile and a
    renderer process), a new page in a kept one about a third of that. Wiping leaves a
    context as a new one would be for the test's server: no pages, cookies, permissions,
    routes or offline switch, and nothing stored for the server's origin (service worker,
    its caches, IndexedDB, local storage) nor in the HTTP cache."""

    KINDS: dict[str, dict[str, Any]] = {
        "phone": PHONE_OPTIONS,
        "second phone": PHONE_OPTIONS,
        # axe-core goes in as a script tag, which the strict CSP would block.
        "axe": {**PHONE_OPTIONS, "bypass_csp": True},
        # a patron's own phone opening a guest page: a plain browser of that size
        "guest": {"viewport": PHONE},
        "guest axe": {"viewport": PHONE, "bypass_csp": True},
        # a phone for one test that installs Playwright's fake clock: dropped after it
        "clock phone": PHONE_OPTIONS,
    }

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.contexts: dict[str, BrowserContext] = {}

    def page(self, kind: str, origin: str) -> Page:
        """A fresh page in the wiped context of this kind."""
        context = self.contexts.get(kind)
        if context is None:
            context = self.contexts[kind] = self.browser.new_context(**self.KINDS[kind])
        for old in context.pages:
            old.close()
        context.clear_cookies()
        context.clear_permissions()
        context.set_offline(False)
        context.unroute_all()
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})
        cdp.send("Network.clearBrowserCache")
        cdp.detach()
        page.set_default_timeout(10_000)
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.dialogs = dialogs  # type: ignore[attr-defined]
        return page

    def drop(self, kind: str) -> None:
        """Close this kind's context and make the next page of the kind in a new one."""
        context = self.contexts.pop(kind, None)
        if context is not None:
            context.close()

    def close_pages(self) -> None:
        """Close every page the test opened (live streams end with them)."""
        for context in self.contexts.values():
            for page in context.pages:
                page.close()


@pytest.fixture(scope="session")
def phones(browser: Browser) -> Iterator[Phones]:
    kept = Phones(browser)
    yield kept
    for context in kept.contexts.values():
        context.close()


def _phone(kind: str) -> Any:
    @pytest.fixture
    def fixture(phones: Phones, live_server: LiveServer) -> Iterator[Page]:
        yield phones.page(kind, live_server.url)
        phones.close_pages()

    fixture.__doc__ = f"A page on a {kind} ({Phones.KINDS[kind]}), wiped before the test."
    return fixture


# A 390x844 phone page under the server's real Content Security Policy.
page = _phone("phone")
# Another crew member's phone, beside `page`.
second_phone = _phone("second phone")
# A phone page that may inject axe-core (only this page bypasses the CSP).
axe_page = _phone("axe")
guest_page = _phone("guest")
guest_axe_page = _phone("guest axe")


@pytest.fixture
def clock_phone(phones: Phones, live_server: LiveServer) -> Iterator[Page]:
    """A phone page whose context is dropped after the test: for a test that installs
    Playwright's fake clock, which stays in its context (no call takes it out) and would
    run a kept context's timers on it in every later test."""
    yield phones.page("clock phone", live_server.url)
    phones.drop("clock phone")


def sign_in(page: Page, server: LiveServer, hash_: str = "") -> None:
    """Open the console and sign in through the form like a crew member would."""
    page.goto(f"{server.url}/{hash_}")
    form = page.locator("#login-form")
    form.get_by_label("Email").fill(ADMIN_EMAIL)
    form.get_by_label("Password").fill(ADMIN_PASSWORD)
    form.get_by_role("button", name="Sign in").click()
    expect(page.locator("#who-name")).to_have_text("Ada Admin")


def seed_event(api: httpx.Client, names: list[str], price_cents: int = 4000) -> dict[str, Any]:
    """An event of its own (title "Harbour sunset cruise 007": numbered, so tests sharing a
    server never meet) with one booking per name; returns the event and its patron ids."""
    r = api.post(
        "/api/events",
        json={
            "title": f"Harbour sunset cruise {next(_EVENT_NUMBERS):03d}",
            "starts_at": "2030-07-01T18:00:00+00:00",
            "location": "Pier 3",
            "price_cents": price_cents,
            "currency": "USD",
        },
    )
    assert r.status_code == 201, r.text
    event = r.json()
    ids, emails = {}, {}
    for i, name in enumerate(names):
        emails[name] = f"patron{i}.{event['id']}@example.org"
        r = api.post(
            f"/api/events/{event['id']}/roster",
            json={"name": name, "email": emails[name]},
        )
        assert r.status_code == 201, r.text
        ids[name] = r.json()["patron_id"]
    return {"event": event, "ids": ids, "emails": emails}


def card(page: Page, patron_id: str) -> Any:
    return page.locator(f'li[data-patron="{patron_id}"]')


def axe_violations(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:  # noqa: ANN001
    """Run axe-core on the page; the violations of the given impacts (empty when clean)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make test` (it runs npm ci)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def run_axe(page: Page, selector: str | None = None) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page (or inside one element)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make test` (it runs npm ci)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (sel) => await axe.run(sel ? document.querySelector(sel) : document)", selector
    )
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
