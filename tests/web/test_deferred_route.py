"""``DeferredRoute``: every route module declares its routes with it, each route's settings
are the ones ``APIRoute`` gives it, and serving requests and the OpenAPI schema never
needs a route's own analysis (the inclusion's copy serves)."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute

from shipcaptaincrew.web import routes
from shipcaptaincrew.web.deferred_route import PATTERN, RESPONSE, SETTINGS, DeferredRoute


def _routers() -> Iterator[tuple[str, APIRouter]]:
    for info in pkgutil.iter_modules(routes.__path__):
        module = importlib.import_module(f"{routes.__name__}.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, APIRouter):
                yield f"{info.name}.{name}", value


def test_every_route_module_declares_deferred_routes_with_the_settings_apiroute_gives() -> None:
    declared = [(where, r) for where, router in _routers() for r in router.routes]
    assert len(declared) >= 78
    assert [where for where, r in declared if not isinstance(r, DeferredRoute)] == []
    for where, route in declared:
        assert isinstance(route, DeferredRoute)
        path, endpoint, kwargs = route.declared
        built = APIRoute(path, endpoint, **kwargs)
        for name in (*SETTINGS, *RESPONSE):
            assert getattr(route, name) == getattr(built, name), (where, route.path, name)
        assert (route.path_regex, route.path_format) == (built.path_regex, built.path_format)
        assert route.param_convertors.keys() == built.param_convertors.keys()
        assert set(route.__dict__) >= {*SETTINGS, *PATTERN, *RESPONSE}


def _thing_route() -> DeferredRoute:
    """A route declared and not analysed yet."""
    router = APIRouter(route_class=DeferredRoute)

    @router.get("/things/{thing_id}", response_model=dict[str, int])
    async def thing(thing_id: int) -> dict[str, int]:
        return {"id": thing_id}

    [route] = router.routes
    assert isinstance(route, DeferredRoute)
    return route


def test_a_deferred_route_analyses_its_endpoint_when_something_else_is_read() -> None:
    route = _thing_route()
    assert not route.analysed
    assert route.response_model == dict[str, int]  # settings: still not analysed
    assert route.path_regex.match("/things/7")
    assert not route.analysed
    assert [p.name for p in route.dependant.path_params] == ["thing_id"]
    assert route.analysed
    assert route.response_field is not None
    assert not hasattr(route, "no_such_attribute")


def test_threads_asking_a_route_being_built_wait_for_it() -> None:
    """Threads that serve requests on event loops of their own (the test client's) ask the
    same route at once: each gets what its build set, none an error."""
    route = _thing_route()
    assert not route.analysed
    start = threading.Barrier(8)

    def ask(_: int) -> Any:
        start.wait()
        return route.app

    with ThreadPoolExecutor(8) as pool:
        apps = list(pool.map(ask, range(8)))
    assert route.analysed
    assert apps == [route.app] * 8


SERVE = r"""
import json, os, tempfile
os.environ.update(SCC_VAR_DIR=tempfile.mkdtemp(), SCC_SECRET_KEY="d" * 32)
from fastapi.testclient import TestClient
from shipcaptaincrew.config import Settings
from shipcaptaincrew.web.app import create_app
from shipcaptaincrew.web.deferred_route import DeferredRoute
from tests.web.test_deferred_route import _routers
client = TestClient(create_app(Settings.from_env()))
answers = [client.get(p).status_code for p in ("/api/events/e1/roster", "/api/health")]
schema = client.get("/openapi.json").json()
declared = [r for _, router in _routers() for r in router.routes]
print(json.dumps({
    "answers": answers,
    "analysed": sorted(r.path for r in declared if r.analysed),
    "operations": sum(len(methods) for methods in schema["paths"].values()),
    "in_schema": sum(len(r.methods) for r in declared if r.include_in_schema),
}))
"""


def test_serving_and_the_schema_never_analyse_a_declared_route() -> None:
    """In a fresh interpreter: a request, and the OpenAPI schema with every operation,
    built from the inclusions' copies alone."""
    done = subprocess.run(
        [sys.executable, "-c", SERVE], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["answers"] == [401, 200]
    assert result["analysed"] == []
    # /api/health is declared in create_app, outside the route modules.
    assert result["operations"] == result["in_schema"] + 1


def test_the_apps_api_routes_are_its_areas_included_and_declared_again() -> None:
    """``_site``'s routes are the ones including each area (its prefix, its sign-in)
    would serve, in the same order but for the busiest first, with the same settings."""
    from fastapi.routing import iter_route_contexts

    from shipcaptaincrew.web.app import BUSIEST, _areas, _busiest_first, _site

    first, rest = _areas()
    included = APIRouter()
    for router, prefix, dependencies in (*first, *rest):
        included.include_router(router, prefix=prefix, dependencies=dependencies)
    served = _busiest_first(list(iter_route_contexts(included.routes)))
    flat = [*_site()[0], *_site()[1]]
    assert len(flat) == len(served) >= 75
    for route, context in zip(flat, served, strict=True):
        assert isinstance(route, DeferredRoute)
        # form_limits: an inclusion keeps its own (none given here), not per route
        for name in (*(n for n in SETTINGS if n != "form_limits"), *RESPONSE):
            assert getattr(route, name) == getattr(context, name), (route.path, name)
    paths = [route.path for route in flat]
    busiest = [path for _method, path in BUSIEST]
    assert paths[:8] == [*busiest, "/api/health", "/api/ready", "/api/me", "/api/me/password"]
    assert "/api/events/{event_id}/{patron_id}/attendance" in paths[:20]
    assert all(
        [d.dependency.__name__ for d in route.dependencies][:1] == ["current_principal"]
        for route in flat
        if route.path.startswith("/api/")
        and not route.path.startswith(("/api/me", "/api/h"))
        and route.path != "/api/ready"
    )
