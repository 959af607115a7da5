"""Routes that build their request and response models when first used, not when declared.

FastAPI's ``APIRoute`` analyses its endpoint (parameters, dependencies, body and response
models, each a pydantic ``TypeAdapter``) as soon as the decorator runs, which is most of
the cost of importing a route module. A router included in another one with a prefix
builds all of that again, per inclusion, when a request first reaches its area, and that
inclusion's copy is the one that serves. ``DeferredRoute`` keeps what matching and the
inclusion need without analysis (the path, its pattern, the methods, the name) and runs
``APIRoute.__init__``, unchanged, the first time anything else is read: a request, the
OpenAPI schema or a test walking the routes sees exactly the route FastAPI would have
built, only later. So a cold start pays for the areas its first request reaches.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute
from starlette.routing import compile_path, get_name


class DeferredRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = kwargs.get("methods")
        self.__dict__.update(
            _deferred=(path, endpoint, kwargs),
            path=path,
            endpoint=endpoint,
            methods={m.upper() for m in (methods or ["GET"])},
            name=get_name(endpoint) if kwargs.get("name") is None else kwargs["name"],
        )
        self.path_regex, self.path_format, self.param_convertors = compile_path(path)

    def __getattr__(self, name: str) -> Any:
        """Anything not set yet: the route is built (once), then asked again."""
        deferred = self.__dict__.pop("_deferred", None)
        if deferred is None or name.startswith("__"):
            if deferred is not None:
                self.__dict__["_deferred"] = deferred
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        path, endpoint, kwargs = deferred
        APIRoute.__init__(self, path, endpoint, **kwargs)
        return getattr(self, name)
