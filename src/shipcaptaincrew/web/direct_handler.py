"""A route's request handler without FastAPI's general machinery, for routes of a plain shape.

FastAPI's handler serves every shape of route the same way: per request it parses the
content type with the standard library's email parser, solves the dependencies through a
generic walk (a cache key, an exit stack and a sub-response for each), and looks at each
parameter's annotation again to decide whether it is a list (a check-in made 1,411 Python
calls through it, 959 through this one). A route whose endpoint is ``async``, whose
dependencies are ``async`` functions of the request alone, and whose parameters are path,
query and header values (one each), one JSON body model, the request and the response, is
served here instead: the same validation (each parameter's own pydantic field, FastAPI's
``_validate_value_with_model_field``), the same dependencies in the same order, the same
serialisation (FastAPI's ``serialize_response``) and response arguments, with what can be
decided once decided when the route is analysed.

Anything else goes to FastAPI's handler, unchanged: a request whose body cannot be read or
is not ``application/json`` exactly, whose JSON does not parse, or whose parameters or body
fail validation (their 422 then comes from FastAPI itself, dependencies first as always);
an app with dependency overrides; OpenTelemetry listening. A request is served by one or the other
from its start (validation comes before any dependency runs here), so every dependency runs
once either way. ``tests/web/test_direct_handler.py`` sends the same requests to routes
served both ways and compares the answers byte for byte.

FastAPI's private helpers are used so the rules stay FastAPI's own; that test fails if an
upgrade changes them.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import params
from fastapi._compat import ModelField, Undefined
from fastapi._compat.shared import field_annotation_is_sequence
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import (
    _get_param_aliases,
    _get_param_model,
    _is_json_field,
    _should_embed_body_fields,
    _validate_value_with_model_field,
)
from fastapi.routing import APIRoute, _extract_endpoint_context, serialize_response
from fastapi.telemetry._api import get_telemetry_data
from fastapi.utils import is_body_allowed_for_status_code
from starlette.requests import Request
from starlette.responses import Response

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class _Param:
    """A path, query or header parameter: where it is read and how it is checked."""

    __slots__ = ("field", "keys", "loc_in")

    def __init__(self, field: ModelField) -> None:
        self.field = field
        self.keys = [request_key for _, request_key in _get_param_aliases(field)]
        assert isinstance(field.field_info, params.Param)
        self.loc_in = field.field_info.in_.value

    def read(self, received: Any, values: dict[str, Any]) -> tuple[Any, list[Any]]:
        """As FastAPI's ``request_params_to_args`` reads one scalar parameter."""
        key = next((k for k in self.keys if k in received), self.keys[0])
        value = received.get(key)
        return _validate_value_with_model_field(
            field=self.field,
            value=Undefined if value is None else value,
            values=values,
            loc=(self.loc_in, key),
        )


def _read(params: list[_Param], received: Any, values: dict[str, Any]) -> bool:
    """Each of ``params`` read from ``received`` into ``values``; False at the first that
    fails its checks."""
    for param in params:
        value, errors = param.read(received, values)
        if errors:
            return False
        values[param.field.name] = value
    return True


def _scalar(field: ModelField) -> bool:
    return (
        _get_param_model(field) is None
        and not _is_json_field(field)
        and not field_annotation_is_sequence(field.field_info.annotation)
    )


def _request_only(dependant: Dependant) -> bool:
    """An ``async`` function of the request alone (a sign-in, the context)."""
    return (
        inspect.iscoroutinefunction(dependant.call)
        and not dependant.dependencies
        and not (dependant.path_params or dependant.query_params)
        and not (dependant.header_params or dependant.cookie_params or dependant.body_params)
        and dependant.request_param_name is not None
        and not (dependant.websocket_param_name or dependant.http_connection_param_name)
        and not (dependant.response_param_name or dependant.background_tasks_param_name)
        and not dependant.security_scopes_param_name
        and dependant.concurrency is None
    )


def eligible(route: APIRoute) -> bool:
    """Whether ``route`` is of the shape ``direct`` serves."""
    d = route.dependant
    body = d.body_params
    return (
        inspect.iscoroutinefunction(d.call)
        and all(_request_only(sub) and sub.use_cache for sub in d.dependencies)
        and not d.cookie_params
        and all(_scalar(f) for f in (*d.path_params, *d.query_params, *d.header_params))
        and len(body) <= 1
        and not route._embed_body_fields  # noqa: SLF001 - FastAPI's own setting
        and not (body and _should_embed_body_fields(body))
        and not (body and isinstance(body[0].field_info, params.Form))
        and not (d.websocket_param_name or d.http_connection_param_name)
        and not (d.background_tasks_param_name or d.security_scopes_param_name)
        and isinstance(route.response_class, DefaultPlaceholder)
        and route.stream_item_field is None
        and not route.is_json_stream
    )


def direct(route: APIRoute, fallback: Handler) -> Handler | None:
    """The handler for ``route`` when it is ``eligible``, else None; ``fallback`` is
    FastAPI's, for every request it does not serve."""
    if not eligible(route):
        return None
    d = route.dependant
    endpoint = d.call
    assert endpoint is not None
    deps = [(sub.call, sub.name) for sub in d.dependencies if sub.call is not None]
    path = [_Param(f) for f in d.path_params]
    query = [_Param(f) for f in d.query_params]
    headers = [_Param(f) for f in d.header_params]
    body_field = d.body_params[0] if d.body_params else None
    request_name, response_name = d.request_param_name, d.response_param_name
    status_code = route.status_code
    response_field = route.response_field
    overrides = route.dependency_overrides_provider
    context = _extract_endpoint_context(endpoint)
    # FastAPI writes the answer with pydantic's JSON serialiser when there is a response
    # model and no response class was given (``eligible`` asks for none), else with its
    # default class; either answers 200 when neither the route nor the endpoint sets one.
    dump_json = response_field is not None
    assert isinstance(route.response_class, DefaultPlaceholder)
    response_class: type[Response] = route.response_class.value

    async def handle(request: Request) -> Response:
        if (overrides is not None and overrides.dependency_overrides) or (
            get_telemetry_data() is not None
        ):
            return await fallback(request)
        values: dict[str, Any] = {}
        if not _read(path, request.path_params, values):
            return await fallback(request)
        if query and not _read(query, request.query_params, values):
            return await fallback(request)
        if headers and not _read(headers, request.headers, values):
            return await fallback(request)
        if body_field is not None:
            try:
                raw = await request.body()
            except Exception:  # a body that cannot be read (the client gone): FastAPI's 400
                return await fallback(request)
            body: Any = Undefined
            if raw:
                if request.headers.get("content-type") != "application/json":
                    return await fallback(request)
                try:
                    body = json.loads(raw)
                except ValueError:
                    return await fallback(request)
            value, errors = _validate_value_with_model_field(
                field=body_field, value=body, values=values, loc=("body",)
            )
            if errors:
                return await fallback(request)
            values[body_field.name] = value
        solved: dict[Callable[..., Any], Any] = {}
        for call, name in deps:
            if call in solved:
                answer = solved[call]
            else:
                answer = solved[call] = await call(request)
            if name is not None:
                values[name] = answer
        if request_name is not None:
            values[request_name] = request
        sub_response = None
        if response_name is not None:
            sub_response = Response()
            del sub_response.headers["content-length"]
            sub_response.status_code = None  # type: ignore[assignment]
            values[response_name] = sub_response
        raw_response = await endpoint(**values)
        if isinstance(raw_response, Response):
            return raw_response
        content = await serialize_response(
            field=response_field,
            response_content=raw_response,
            is_coroutine=True,
            endpoint_ctx=context,
            dump_json=dump_json,
            include=route.response_model_include,
            exclude=route.response_model_exclude,
            by_alias=route.response_model_by_alias,
            exclude_unset=route.response_model_exclude_unset,
            exclude_defaults=route.response_model_exclude_defaults,
            exclude_none=route.response_model_exclude_none,
        )
        code = status_code
        if sub_response is not None and sub_response.status_code:
            code = sub_response.status_code
        code = 200 if code is None else code
        if dump_json:
            response = Response(content=content, media_type="application/json", status_code=code)
        else:
            response = response_class(content, status_code=code)
        if not is_body_allowed_for_status_code(response.status_code):
            response.body = b""
        if sub_response is not None:
            response.headers.raw.extend(sub_response.headers.raw)
        return response

    return handle
