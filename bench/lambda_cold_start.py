"""AWS figures: Lambda cold start, DynamoDB requests per operation, package size.

    .venv/bin/python bench/lambda_cold_start.py [--zip dist/lambda.zip]

Cold start: a fresh interpreter imports the handler and answers its first Function URL
event (on DynamoDB in moto's server), against a fresh interpreter importing FastAPI and
Mangum alone. Requests are counted with botocore's ``before-call`` event hook.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.lambda_client import function_url_event  # noqa: E402
from tests.moto_server import CREDENTIALS, MotoServer  # noqa: E402

FIRST_EVENT = r"""
import json, sys, time
t0 = time.perf_counter()
from shipcaptaincrew.lambda_function import lambda_handler
result = lambda_handler(json.loads(sys.argv[1]), None)
assert result["statusCode"] == 401, result
print((time.perf_counter() - t0) * 1000)
"""
BASELINE = r"""
import time
t0 = time.perf_counter()
import fastapi, mangum
print((time.perf_counter() - t0) * 1000)
"""


def _ms(code: str, *args: str, env: dict[str, str]) -> float:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def cold_start(moto: MotoServer, runs: int = 7) -> dict[str, float]:
    from shipcaptaincrew.storage.dynamodb import DynamoStore

    url = moto.url("bench-cold")
    DynamoStore.from_url(url).init_schema()
    env = {**os.environ, **CREDENTIALS, "SCC_DATABASE_URL": url, "SCC_SECRET_KEY": "b" * 32}
    event = json.dumps(function_url_event("GET", "/api/events"))
    handler = statistics.median(_ms(FIRST_EVENT, event, env=env) for _ in range(runs))
    base = statistics.median(_ms(BASELINE, env=env) for _ in range(runs))
    return {"handler_ms": handler, "fastapi_mangum_ms": base, "ratio": handler / base}


def requests_per_operation(moto: MotoServer) -> dict[str, dict[str, int]]:
    from tests import factories as f

    from shipcaptaincrew.config import Settings
    from shipcaptaincrew.domain.models import Role
    from shipcaptaincrew.services import attendance, payments, roster
    from shipcaptaincrew.services.context import Context
    from shipcaptaincrew.storage.dynamodb import DynamoStore

    store = DynamoStore.from_url(moto.url("bench-ops"))
    store.init_schema()
    settings = Settings.from_env({"SCC_SECRET_KEY": "b" * 32, "SCC_VAR_DIR": "/tmp/scc-bench"})
    ctx = Context(store=store, settings=settings)
    admin = f.crew_fast(ctx, Role.ADMIN, "bench@example.org")
    event = f.event(ctx, admin)
    bookings = [f.booking(ctx, admin, event.id, name=f"Guest {i}") for i in range(20)]
    calls: Counter[str] = Counter()
    store._client.meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.update([model.name])
    )
    figures = {}

    def measure(name: str, fn) -> None:  # noqa: ANN001
        calls.clear()
        fn()
        figures[name] = dict(sorted(calls.items()))

    b = bookings[0]
    measure(
        "log payment",
        lambda: payments.log_payment(
            ctx,
            by=admin,
            event_id=event.id,
            req=payments.PaymentRequest(b.patron_id, 4500, payments.PaymentMethod.CASH),
        ),
    )
    measure("roster (20 bookings)", lambda: roster.roster(ctx, event_id=event.id))
    measure(
        "check-in",
        lambda: attendance.set_checked_in(
            ctx, by=admin, event_id=event.id, patron_id=b.patron_id, checked_in=True
        ),
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--zip", type=Path, default=ROOT / "dist" / "lambda.zip")
    args = parser.parse_args()
    moto = MotoServer()
    moto.start()
    os.environ.update(CREDENTIALS)
    try:
        cold = cold_start(moto)
        print(
            f"cold start: {cold['handler_ms']:.0f} ms to the first answer; "
            f"FastAPI+Mangum import alone {cold['fastapi_mangum_ms']:.0f} ms; "
            f"ratio {cold['ratio']:.2f}x"
        )
        for name, counted in requests_per_operation(moto).items():
            print(f"{name}: {sum(counted.values())} DynamoDB requests {counted}")
    finally:
        moto.stop()
    if args.zip.exists():
        print(f"package: {args.zip.stat().st_size / 1e6:.1f} MB zipped ({args.zip})")
    else:
        print("package: run `scc package` first")


if __name__ == "__main__":
    main()
