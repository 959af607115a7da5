"""/docs: Swagger UI 5 (it reads OpenAPI 3.1, which FastAPI emits) served from the files the
fastapi-offline package ships: no CDN, no inline script. The schema declares the bearer
token scheme on every operation that needs a signed-in crew member, so "Authorize" takes the
token from ``POST /admin/login`` and write calls work from the page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

INIT_JS = Path(__file__).with_name("docs_static") / "init.js"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ShipCaptainCrew API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>"""


BEARER = {
    "type": "http",
    "scheme": "bearer",
    "description": "The token from POST /admin/login.",
}


# Every /api operation needs a signed-in crew member except these (tests/web/test_auth.py
# walks the routes to hold that).
PUBLIC = frozenset({"/api/health", "/api/ready"})


def _with_security(app: FastAPI) -> Callable[[], dict[str, Any]]:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        schema.setdefault("components", {})["securitySchemes"] = {"bearer": BEARER}
        for path, operations in schema["paths"].items():
            if path.startswith("/api/") and path not in PUBLIC:
                for operation in operations.values():
                    operation["security"] = [{"bearer": []}]
        return schema

    return openapi


def install(app: FastAPI) -> None:
    import fastapi_offline

    app.openapi = _with_security(app)  # type: ignore[method-assign]

    assets = Path(fastapi_offline.__file__).with_name("static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(PAGE)

    @app.get("/docs/init.js", include_in_schema=False)
    def docs_init() -> FileResponse:
        return FileResponse(INIT_JS, media_type="text/javascript")

    app.mount("/docs/assets", StaticFiles(directory=assets), name="docs-assets")
