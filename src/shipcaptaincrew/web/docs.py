"""/docs: Swagger UI 5 (it reads OpenAPI 3.1, which FastAPI emits) served from the files the
fastapi-offline package ships: no CDN, no inline script."""

from __future__ import annotations

from pathlib import Path

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


def install(app: FastAPI) -> None:
    import fastapi_offline

    assets = Path(fastapi_offline.__file__).with_name("static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(PAGE)

    @app.get("/docs/init.js", include_in_schema=False)
    def docs_init() -> FileResponse:
        return FileResponse(INIT_JS, media_type="text/javascript")

    app.mount("/docs/assets", StaticFiles(directory=assets), name="docs-assets")
