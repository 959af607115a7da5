"""Routes that analyse their endpoint when a request first needs it, not when declared.

FastAPI's ``APIRoute`` analyses its endpoint (parameters, dependencies, body and response
models, each a pydantic ``TypeAdapter``) as soon as the decorator runs, which is most of
the cost of importing a route module. A router included in another one builds all of that
again, per inclusion, from the route's declared settings when a request first reaches its
area, and that inclusion's copy is the one that serves. ``DeferredRoute`` sets what the
inclusion reads (the path, the methods, the name and the declared settings, resolved as
``APIRoute`` resolves them; the path's pattern and the response model when first read)
and runs ``APIRoute.__init__``, unchanged, the first time anything else is read (the
analysis itself). Requests, the OpenAPI schema and a test walking the routes see the
routes FastAPI would have built; a cold start analyses only the routes of the areas its
first request reaches, once each. ``tests/web/test_deferred_route.py`` checks every
route's settings against ``APIRoute``'s.

FastAPI's private helpers are imported so the settings are resolved by FastAPI's own
code; that test fails if a FastAPI upgrade resolves one differently.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
import threading
from collections.abc import Callable, Coroutine, Sequence
from enum import IntEnum
from typing import Any

from fastapi import APIRouter, params
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.models import _is_async_gen_callable, _is_gen_callable
from fastapi.dependencies.utils import get_stream_item_type, get_typed_return_annotation
from fastapi.routing import (
    APIRoute,
    _effective_route_context_var,
    _validate_form_limits,
    lenient_issubclass,
)
from fastapi.sse import EventSourceResponse, ServerSentEvent
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, compile_path, get_name

from .direct_handler import direct

_DEFAULTS = {
    name: p.default
    for name, p in inspect.signature(APIRoute.__init__).parameters.items()
    if p.default is not inspect.Parameter.empty
}
# Declared settings that APIRoute stores as given.
AS_GIVEN = (
    "summary",
    "response_description",
    "deprecated",
    "operation_id",
    "response_model_include",
    "response_model_exclude",
    "response_model_by_alias",
    "response_model_exclude_unset",
    "response_model_exclude_defaults",
    "response_model_exclude_none",
    "include_in_schema",
    "response_class",
    "dependency_overrides_provider",
    "callbacks",
    "openapi_extra",
    "generate_unique_id_function",
    "strict_content_type",
    "max_body_size",
)
# Computed on first read, each group on its own.
PATTERN = ("path_regex", "path_format", "param_convertors")
RESPONSE = ("response_model", "stream_item_type")
# Everything ``settings`` sets (what the tests compare with a built APIRoute).
SETTINGS = (
    *AS_GIVEN,
    "path",
    "endpoint",
    "methods",
    "name",
    "tags",
    "responses",
    "dependencies",
    "status_code",
    "description",
    "form_limits",
)


def settings(path: str, endpoint: Callable[..., Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The attributes ``APIRoute(path, endpoint, **kwargs)`` sets without analysing the
    endpoint, with the values it gives them."""
    given = {**_DEFAULTS, **kwargs}
    out = {name: given[name] for name in AS_GIVEN}
    status_code = given["status_code"]
    description = given["description"] or inspect.cleandoc(endpoint.__doc__ or "")
    out.update(
        path=path,
        endpoint=endpoint,
        methods={m.upper() for m in (given["methods"] or ["GET"])},
        name=get_name(endpoint) if given["name"] is None else given["name"],
        tags=given["tags"] or [],
        responses=given["responses"] or {},
        dependencies=list(given["dependencies"] or []),
        status_code=int(status_code) if isinstance(status_code, IntEnum) else status_code,
        description=description.split("\f")[0].strip(),
        form_limits=_validate_form_limits(given["form_limits"]),
    )
    return out


def response_model(endpoint: Callable[..., Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """``response_model`` and ``stream_item_type`` as ``APIRoute`` resolves them: from the
    endpoint's return type when no model is declared."""
    model, item = _response_model(endpoint, {**_DEFAULTS, **kwargs})
    return {"response_model": model, "stream_item_type": item}


def _response_model(endpoint: Callable[..., Any], given: dict[str, Any]) -> tuple[Any, Any]:
    response_model, response_class = given["response_model"], given["response_class"]
    if not isinstance(response_model, DefaultPlaceholder):
        return response_model, None
    annotation = get_typed_return_annotation(endpoint)
    if lenient_issubclass(annotation, Response):
        return None, None
    item = get_stream_item_type(annotation)
    if item is None or not (_is_async_gen_callable(endpoint) or _is_gen_callable(endpoint)):
        return annotation, None
    streams = isinstance(response_class, DefaultPlaceholder) or lenient_issubclass(
        response_class, EventSourceResponse
    )
    return None, (item if streams and not lenient_issubclass(item, ServerSentEvent) else None)


# Held while a route is built (re-entered by the attributes its build reads).
_BUILDING = threading.RLock()


class DeferredRoute(APIRoute):
    """``declared`` keeps the arguments the route was declared with."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        declared = (path, endpoint, kwargs)
        self.__dict__.update(settings(path, endpoint, kwargs), declared=declared, _pending=True)

    @property
    def analysed(self) -> bool:
        return "_pending" not in self.__dict__

    def __getattr__(self, name: str) -> Any:
        """Anything not set yet: the path's pattern (only read when the route is matched
        by itself, not through an inclusion) and the response model (read when an
        inclusion builds its copy) on their own; anything else builds the route (once)."""
        if name.startswith("__"):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        # Built by one thread at a time: another thread asking meanwhile (event loops of
        # their own, as the test client's) waits for it, then finds what it set.
        with _BUILDING:
            if "_pending" not in self.__dict__:
                if name in self.__dict__:
                    return self.__dict__[name]
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            path, endpoint, kwargs = self.declared
            if name in PATTERN:
                self.__dict__.update(zip(PATTERN, compile_path(path), strict=True))
            elif name in RESPONSE:
                self.__dict__.update(response_model(endpoint, kwargs))
            else:
                del self.__dict__["_pending"]
                APIRoute.__init__(self, path, endpoint, **kwargs)
            return getattr(self, name)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """FastAPI's handler, or for a route of a plain shape the direct one
        (``direct_handler``) in front of it; a route FastAPI copies for an inclusion keeps
        FastAPI's."""
        fallback = super().get_route_handler()
        if _effective_route_context_var.get() is not None:
            return fallback
        return direct(self, fallback) or fallback


def declared_again(
    router: APIRouter, prefix: str = "", dependencies: Sequence[params.Depends] = ()
) -> list[BaseRoute]:
    """``router``'s routes as including it with ``prefix`` and ``dependencies`` serves
    them, each declared again with those (not analysed until first served), to sit in an
    app's own list of routes: FastAPI 0.16x matches an included router's routes twice per
    request, with bookkeeping per route."""
    routes: list[BaseRoute] = []
    for route in router.routes:
        if not isinstance(route, DeferredRoute):
            raise TypeError(f"{route!r}: route modules declare DeferredRoutes")
        path, endpoint, kwargs = route.declared
        kwargs = {**kwargs, "dependencies": [*dependencies, *kwargs["dependencies"]]}
        routes.append(DeferredRoute(prefix + path, endpoint, **kwargs))
    return routes


def remember_missing_pydantic_v1() -> None:
    """pydantic 2.14 no longer ships ``pydantic.v1``, and FastAPI tries to import it for
    each parameter and model it analyses; a failed import is not remembered, so every try
    searches the whole path again (~60 µs each, a few hundred tries for the first
    request's routes). When it is missing, record it as missing: each try then fails at
    once, as it would anyway."""
    if "pydantic.v1" not in sys.modules and importlib.util.find_spec("pydantic.v1") is None:
        sys.modules["pydantic.v1"] = None  # type: ignore[assignment]
