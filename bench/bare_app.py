"""The yardstick: a bare FastAPI app with one health route, served by ``bench/run.py`` under
the same uvicorn settings as ``scc serve``. Its CPU per request is what the framework and
server cost on this machine at this moment; our figures are read as multiples of it."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/api/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
