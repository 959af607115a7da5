"""The app factory: ``create_app(settings)`` builds a fresh app with its adapters."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from anyio import to_thread
from fastapi import APIRouter, Depends, FastAPI, params
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import BaseRoute

from .. import __version__
from ..bootstrap import BackgroundDelivery, DeliveryProcess, build_delivery_process, build_providers
from ..config import Settings
from ..domain.models import OutboxMessage
from ..notify.base import Sender
from ..services.context import Context, utc_now
from ..services.outbox import deliver_due
from ..services.reminders import sweep
from ..storage.base import Store
from . import errors
from .console_files import ConsoleFiles
from .deferred_route import DeferredRoute, declared_again, remember_missing_pydantic_v1
from .deps import current_principal, signed_in
from .live_hub import LiveHub
from .logs import configure as configure_logging
from .middleware import Edge
from .roster_cache import GZIP_LEVEL, GZIP_MINIMUM, RosterCache
from .routes import (
    audit,
    auth,
    cashup,
    events,
    guest,
    guest_link,
    headcount,
    kiosks,
    live,
    online,
    outbox,
    payments,
    receipts,
    reconciliation,
    roster,
    settlements,
    waivers,
)
from .routes import crew as crew_routes
from .routes.ready import router as ready_router
from .schemas import HealthOut

STATIC = Path(__file__).with_name("static")
health_router = APIRouter(route_class=DeferredRoute, prefix="/api", tags=["health"])


@health_router.get("/health", response_model=HealthOut)
async def health() -> HealthOut:  # no I/O: served on the event loop, no thread hop
    return HealthOut(status="ok")


@functools.cache
def _site() -> tuple[list[BaseRoute], list[BaseRoute]]:
    """The app's API and sign-in routes, built once per process, as two groups: the areas a
    cold start meets first (health, who-am-I, sign-in, the roster, logging a payment, the
    changes phones poll, and events), and the rest of /api.

    Each route is declared again with its /api prefix and its sign-in (``declared_again``)
    and sits in the app's own list, as FastAPI built an included router's routes before
    0.16x (the guest pages and webhooks too: ``guest.routes``, ``online.routes``). An
    included router is matched route by route twice (once to find it, once to serve), with
    bookkeeping per route on the request: a check-in made 2,101 Python calls behind the
    included areas, 1,708 here. The copies are ``DeferredRoute``s: a request walking past
    a route compiles only its path's pattern; the routes a request reaches are analysed
    when first served, once per process (every app of the process shares them, as the
    tests' hundreds do), and the declared routes never are. The dock's busiest requests
    come first (``BUSIEST``), then who-am-I and sign-in for the cold start, then the rest
    of the areas of a check-in, a payment and the changes every phone polls. No path is in
    two areas, so the order changes nothing else."""
    first, rest = _areas()
    return _busiest_first(_declared(first)), _declared(rest)


# The dock's busiest requests: a phone's poll for changes, a check-in, a payment and the
# roster. The router tries the routes in order until one matches (about a microsecond
# each: a poll was the 21st route tried, a payment the 17th), so these are tried first. None of the
# other routes' paths matches their patterns (``tests/web/test_route_order.py``), so
# trying them first changes which route answers nothing.
BUSIEST = (
    ("GET", "/api/events/{event_id}/changes"),
    ("POST", "/api/events/{event_id}/{patron_id}/attendance"),
    ("POST", "/api/events/{event_id}/{patron_id}/payment"),
    ("GET", "/api/events/{event_id}/roster"),
)


def _busiest_first(routes: list[BaseRoute]) -> list[BaseRoute]:
    rank = {key: i for i, key in enumerate(BUSIEST)}

    def place(route: BaseRoute) -> int:
        methods = getattr(route, "methods", None) or ()
        path = getattr(route, "path", "")
        return min((rank.get((m, path), len(BUSIEST)) for m in methods), default=len(BUSIEST))

    return sorted(routes, key=place)  # stable: the others keep their order


Area = tuple[APIRouter, str, list[params.Depends]]


def _declared(areas: list[Area]) -> list[BaseRoute]:
    return [route for area in areas for route in declared_again(*area)]


def _areas() -> tuple[list[Area], list[Area]]:
    """``_site``'s two groups of areas: each a router, its prefix and its dependencies."""
    signed = [Depends(signed_in)]
    crew = [Depends(current_principal)]
    # who-am-I, the own password and sign-out: open to a member who must choose a password
    first: list[Area] = [(health_router, "", []), (ready_router, "", [])]
    first += [(auth.api, "/api", signed), (auth.admin, "", [])]
    first += [(module.router, "/api", crew) for module in (roster, payments, live, events)]
    modules = (headcount, guest_link, online, reconciliation, cashup, audit)
    rest = [
        (module.router, "/api", crew)
        for module in (*modules, crew_routes, waivers, outbox, receipts, kiosks, settlements)
    ]
    return first, rest


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """While serving, deliver due emails (retries, anything queued offline) in the
    background; the requests' thread pool holds as many threads as the store wants
    (``Store.concurrency``), anyio's 40 when it has no limit of its own."""
    ctx: Context = app.state.ctx
    if ctx.store.concurrency is not None:
        to_thread.current_default_thread_limiter().total_tokens = ctx.store.concurrency
    mail: BackgroundDelivery | DeliveryProcess | None = app.state.mail
    if mail is not None:
        mail.start()
    yield
    if mail is not None:
        mail.close()


def create_app(
    settings: Settings,
    *,
    store: Store | None = None,
    clock: Callable[[], datetime] = utc_now,
    sender: Sender | None = None,
    mail_process: bool = False,
) -> FastAPI:
    """A new app on ``store`` and ``sender`` (built from settings when not given). With
    ``mail_process`` its emails are delivered by a process of its own built from the
    environment (``scc outbox follow``), not by a thread beside the requests."""
    remember_missing_pydantic_v1()
    if store is None:
        from ..bootstrap import build_store

        store = build_store(settings)
    if sender is None:
        from ..bootstrap import build_sender

        sender = build_sender(settings)
    app = FastAPI(
        lifespan=_lifespan,
        title="ShipCaptainCrew",
        version=__version__,
        description="Events, rosters, attendance, waivers and payments for crews.",
        docs_url=None,
        redoc_url=None,
        # FastAPI's own OpenTelemetry hooks ask the global providers on every request
        # whether anything listens (about 5 microseconds); without the OpenTelemetry SDK,
        # which this app does not install, nothing ever can.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.ctx = ctx = Context(
        store=store, settings=settings, clock=clock, providers=build_providers(settings)
    )
    app.state.sender = sender
    app.state.mail = None
    app.state.live = LiveHub(ctx)
    app.state.rosters = RosterCache(settings.roster_cache_events)
    if settings.mail_after_commit and mail_process:
        app.state.mail = build_delivery_process()
    elif settings.mail_after_commit:

        def deliver(ids: list[str] | None) -> object:
            """Just-committed messages, or (the sweep) the reminders due and then every
            message due."""
            if ids is None:
                return sweep(ctx, sender)
            return deliver_due(ctx, sender, ids=ids, limit=len(ids))

        app.state.mail = BackgroundDelivery(deliver)
    if app.state.mail is not None:
        ctx.after_commit = _once_committed(store, app.state.mail)
    errors.install(app)
    configure_logging(settings.log_format)

    # Shared by every app this process builds (a server builds one; the tests, hundreds).
    # The areas a cold start meets first, the guest pages and webhooks, then the rest.
    first, rest = _site()
    app.router.routes.extend([*first, *guest.routes(), *online.routes(), *rest])
    app.router._mark_routes_changed()  # noqa: SLF001 - its cached match tables are stale

    from .docs import install as install_docs

    install_docs(app)
    if (STATIC / "index.html").exists():
        app.mount("/", ConsoleFiles(STATIC), name="console")
    # A 500-patron roster is ~250 KB of JSON and ~25 KB gzipped: it matters on a phone.
    # Level 6 (zlib's default) compresses it within a few percent of level 9 for far less CPU.
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM, compresslevel=GZIP_LEVEL)
    app.add_middleware(Edge, limit=settings.max_body_bytes, hsts=settings.https)
    return app


def _once_committed(
    store: Store, deliver: Callable[[Sequence[OutboxMessage]], None]
) -> Callable[[Sequence[OutboxMessage]], None]:
    """``deliver`` for messages a use case wrote, called once they have committed: a write
    on the event loop commits with its group (``store_work``), after the use case."""

    def after_commit(messages: Sequence[OutboxMessage]) -> None:
        if messages:
            store.on_commit(lambda: deliver(messages))

    return after_commit


def create_app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` and the CLI: settings from the environment, and
    emails delivered by a process of their own that reads the same environment."""
    app = create_app(Settings.from_env(), mail_process=True)
    settle_heap(collect=True)
    return app


def settle_heap(*, collect: bool) -> None:
    """Move what the process is made of so far (the modules, the app, its settings) out of
    the garbage collector's way: it lives as long as the process, and each full collection
    would walk it again (about 140,000 objects; a 500-patron roster read 15% dearer in CPU
    for it). ``collect`` first drops what importing left behind; Lambda's cold start skips
    it."""
    import gc

    if collect:
        gc.collect()
    gc.freeze()
