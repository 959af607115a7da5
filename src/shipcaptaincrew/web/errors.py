"""The one JSON error shape, and the one place domain errors become HTTP statuses."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..domain import errors as d

log = logging.getLogger("shipcaptaincrew.web")

STATUS: dict[type[d.DomainError], int] = {
    d.Invalid: 422,
    d.NotFound: 404,
    d.Conflict: 409,
    d.Unauthenticated: 401,
    d.Forbidden: 403,
    d.TooManyAttempts: 429,
    d.BadSignature: 400,
    d.ProviderFailed: 502,
}

HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_attempts",
    500: "internal",
    502: "provider_failed",
}


# Built when first used: every route documents its error responses with ErrorOut, and
# FastAPI makes a field of it for each (eight a route) when it analyses the route; deferred,
# those fields cost nothing until the OpenAPI schema is made.
class ErrorBody(BaseModel):
    model_config = ConfigDict(defer_build=True)

    code: str
    message: str
    details: dict[str, Any]


class ErrorOut(BaseModel):
    """Every error response has this shape."""

    model_config = ConfigDict(defer_build=True)

    error: ErrorBody


def error_response(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return JSONResponse(body, status_code=status, headers=headers)


def _status_for(err: d.DomainError) -> int:
    for cls in type(err).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for e in exc.errors():
        out.append(
            {
                "loc": [str(p) for p in e.get("loc", ())],
                "message": str(e.get("msg")),
                "type": str(e.get("type")),
            }
        )
    return out


def install(app: FastAPI) -> None:
    @app.exception_handler(d.DomainError)
    async def domain_error(_r: Request, exc: d.DomainError) -> JSONResponse:
        headers = None
        if isinstance(exc, d.TooManyAttempts):
            headers = {"Retry-After": str(exc.retry_after_s)}
        return error_response(_status_for(exc), exc.code, exc.message, exc.details, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_r: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_details(exc)
        if any(e["type"] == "json_invalid" for e in errors):
            return error_response(
                400, "malformed_json", "The request body is not valid JSON.", {"errors": errors}
            )
        return error_response(
            422, "invalid", "Some fields are missing or wrong.", {"errors": errors}
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_r: Request, exc: StarletteHTTPException) -> Response:
        if _r.url.path.startswith("/g/"):
            from .routes.guest import html_error  # guest pages answer with HTML

            return html_error(
                exc.status_code,
                "Page not found." if exc.status_code == 404 else "This request cannot be handled.",
            )
        code = HTTP_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        if exc.status_code == 404:
            message = "Not found."
        return error_response(exc.status_code, code, message, headers=exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(_r: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error: %s", type(exc).__name__)
        return error_response(500, "internal", "Something went wrong on our side.")
