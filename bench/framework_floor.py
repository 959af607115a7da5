"""What FastAPI and uvicorn alone cost for a check-in's shape, beside the bare app.

The aims of ``bench/run.py`` are multiples of the bare app (one async health route). This
serves, under the same uvicorn settings (one worker), an app with nothing of ours but a
check-in's shape: a POST with two path parameters, a JSON body, an optional header, the
sign-in's async dependency on the route (as ``_site`` declares ours again, in the app's own
list of routes) and the crew member read back from the request, gzip, and a 20-field
response model. No store, no middleware of ours, no log line. It prints the CPU
per request of each at 16 connections (``bench/run.py``'s way: the server's utime + stime
from /proc over the requests served): what a check-in costs before it does anything.

    .venv/bin/python bench/framework_floor.py [--seconds 4] [--repeat 2]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request
from pydantic import BaseModel
from starlette.middleware.gzip import GZipMiddleware


class AttendanceIn(BaseModel):
    checked_in: bool
    occurred_at: datetime | None = None
    board_anyway: str | None = None


class BookingOut(BaseModel):
    event_id: str
    patron_id: str
    name: str
    email: str | None
    phone: str | None
    party_size: int
    status: str
    checked_in: bool
    checked_in_at: datetime | None
    checked_in_by: str | None
    waiver_signed: bool
    waiver_at: datetime | None
    amount_due_cents: int
    amount_paid_cents: int
    balance_cents: int
    currency: str
    payment_cleared: bool
    cleared_at: datetime | None
    guest_url: str
    version: int


async def get_ctx(request: Request) -> dict[str, Any]:
    return {"settings": request.app.title}


# As ours: each sign-in dependency takes only the request, its answer kept on the request.
async def signed_in(request: Request) -> dict[str, Any]:
    if (known := request.scope["state"].get("principal")) is not None:
        return known  # type: ignore[no-any-return]
    principal = {"token": request.headers.get("authorization", "")}
    request.state.principal = principal
    return principal


async def current_principal(request: Request) -> dict[str, Any]:
    return await signed_in(request)


async def signed_crew(request: Request) -> tuple[dict[str, Any], dict[str, Any]]:
    return await get_ctx(request), await current_principal(request)


IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)
]
NOW = datetime(2026, 7, 1, 12, 0)

app = FastAPI()


@app.get("/api/health")
async def health() -> dict[str, str]:  # what bench/run.py's bare_app waits for
    return {"status": "ok"}


@app.post(
    "/api/events/{event_id}/{patron_id}/attendance",
    response_model=BookingOut,
    dependencies=[Depends(current_principal)],
)
async def set_attendance(
    event_id: str,
    patron_id: str,
    body: AttendanceIn,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> BookingOut:
    _ctx, crew = await signed_crew(request)
    return BookingOut(
        event_id=event_id,
        patron_id=patron_id,
        name="Pat Doe",
        email="pat@example.org",
        phone=None,
        party_size=1,
        status="booked",
        checked_in=body.checked_in,
        checked_in_at=NOW,
        checked_in_by=str(crew["token"])[-5:],
        waiver_signed=False,
        waiver_at=None,
        amount_due_cents=4500,
        amount_paid_cents=0,
        balance_cents=4500,
        currency="USD",
        payment_cleared=False,
        cleared_at=None,
        guest_url="http://127.0.0.1/g/abc",
        version=2,
    )


app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)

CHECKIN_LUA = """
wrk.method = "POST"
wrk.body = '{"checked_in": true}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer abc"
wrk.path = "/api/events/evt_1/pat_1/attendance"
"""
HEALTH_LUA = 'wrk.path = "/api/health"\n'


def cpu_per_request(module: str, lua: Path, seconds: int) -> tuple[float, float]:
    """(CPU ms per request, requests a second) of ``module:app`` under 16 connections."""
    # Imported here: uvicorn imports this module for its app, which needs none of it (run as
    # a script, bench/ is first on the path).
    from run import bare_app, group_cpu, run_wrk, settle

    with bare_app(1, module) as (url, pgid):
        settle(pgid)
        before = group_cpu(pgid)
        figures = run_wrk(url, lua, seconds, 16)
        spent = group_cpu(pgid) - before
    if figures["failed"]:
        raise SystemExit(f"{module}: {figures['failed']:.0f} requests failed")
    return spent * 1000 / max(1, figures["requests"]), figures["rps"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "health.lua").write_text(HEALTH_LUA)
        (tmp / "checkin.lua").write_text(CHECKIN_LUA)
        bare, shape = [], []
        for _ in range(args.repeat):
            bare.append(cpu_per_request("bare_app", tmp / "health.lua", args.seconds))
            shape.append(cpu_per_request("framework_floor", tmp / "checkin.lua", args.seconds))
    b = statistics.median(c for c, _ in bare)
    s = statistics.median(c for c, _ in shape)
    print(f"bare app, health:            {b:.3f} ms CPU/request (median of {args.repeat})")
    print(f"a check-in's shape, nothing of ours: {s:.3f} ms CPU/request, {s / b:.1f}x the bare app")


if __name__ == "__main__":
    main()
