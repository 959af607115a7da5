"""Every route the app serves, flattened: for tests that walk the routes (auth, CloudFront)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fastapi import FastAPI
from starlette.routing import BaseRoute, Mount


@dataclass(frozen=True)
class RouteInfo:
    path: str
    methods: frozenset[str]
    mount: bool  # a mounted app (static files) serving everything below ``path``
    in_schema: bool


def _contexts(app: FastAPI) -> Iterable[BaseRoute]:
    try:  # FastAPI keeps included routers lazily since 0.16x; this flattens them.
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI: routes are already flat
        return list(app.routes)
    return list(iter_route_contexts(app.routes))  # type: ignore[arg-type]


def route_table(app: FastAPI) -> list[RouteInfo]:
    table = []
    for route in _contexts(app):
        original = getattr(route, "original_route", route)
        path = getattr(route, "path", None)
        if path is None:
            continue
        methods = frozenset(getattr(route, "methods", None) or ())
        table.append(
            RouteInfo(
                path=path or "/",
                methods=methods,
                mount=isinstance(original, Mount),
                in_schema=bool(getattr(route, "include_in_schema", True)),
            )
        )
    return table
