"""AWS figures: Lambda cold start, DynamoDB requests per operation, package size.

    .venv/bin/python bench/lambda_cold_start.py [--zip ZIP] [--runs 7]

Cold start as Lambda runs it: the zip built by ``scc package`` for this machine (or
``--zip``, built for this machine's architecture and Python) is unpacked into a read-only
folder, boto3 comes from a separate runtime folder, and each run is a fresh ``python -I -S
-B`` with PYTHONDONTWRITEBYTECODE=1 that imports the handler and answers its first event:
a roster read (Function URL, DynamoDB in moto's server) or a scheduled outbox run. The
floor is the same interpreter importing FastAPI and Mangum alone from the same folder.
Medians of interleaved runs, the spread of single runs' ratios, and the ratios in CPU time
(steadier on a shared machine). DynamoDB requests are counted with botocore's
``before-call`` event hook.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import lambda_task  # noqa: E402
from tests.lambda_client import function_url_event  # noqa: E402
from tests.moto_server import CREDENTIALS, MotoServer  # noqa: E402

FIRST_EVENT = r"""
import json, time
t0, c0 = time.perf_counter(), time.process_time()
from shipcaptaincrew.lambda_function import lambda_handler
result = lambda_handler(json.loads(sys.argv[3]), None)
ms, cpu = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
assert result.get("statusCode", 200) == 200, result
print(json.dumps({"ms": ms, "cpu": cpu, "compiled": COMPILED}))
"""
FLOOR = r"""
import json, time
t0, c0 = time.perf_counter(), time.process_time()
import fastapi, mangum
ms, cpu = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
print(json.dumps({"ms": ms, "cpu": cpu, "compiled": COMPILED}))
"""
# The roster read's cold start step by step (each step's imports not counted again).
STEPS = r"""
import json, time
marks = [time.perf_counter()]
mark = lambda: marks.append(time.perf_counter())
import fastapi, mangum; mark()
import botocore.session; mark()
from shipcaptaincrew.config import Settings
from shipcaptaincrew.bootstrap import build_store
store = build_store(Settings.from_env()); mark()
from shipcaptaincrew.web.app import create_app
from shipcaptaincrew.lambda_function import make_handler
handler = make_handler(create_app(Settings.from_env(), store=store)); mark()
assert handler(json.loads(sys.argv[3]), None)["statusCode"] == 200; mark()
steps = [b - a for a, b in zip(marks, marks[1:])]
print(json.dumps({"ms": [s * 1000 for s in steps], "compiled": COMPILED}))
"""
STEP_NAMES = (
    "FastAPI+Mangum",
    "botocore import",
    "DynamoDB client",
    "app (routes, schemas)",
    "first request",
)
SCHEDULED = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}


def _roster_event(moto: MotoServer) -> tuple[str, dict, dict, dict]:
    """A table with an event of 20 bookings; the roster read of its admin, their
    who-am-I (a console's first request) and one patron's guest page."""
    from tests import factories as f

    from shipcaptaincrew.config import Settings
    from shipcaptaincrew.domain.models import Role
    from shipcaptaincrew.services.context import Context
    from shipcaptaincrew.storage.dynamodb import DynamoStore

    url = moto.url("bench-cold")
    store = DynamoStore.from_url(url)
    store.init_schema()
    settings = Settings.from_env({"SCC_SECRET_KEY": "b" * 32, "SCC_VAR_DIR": "/tmp/scc-bench"})
    ctx = Context(store=store, settings=settings)
    admin = f.crew_fast(ctx, Role.ADMIN, "cold@example.org")
    event = f.event(ctx, admin)
    bookings = [f.booking(ctx, admin, event.id, name=f"Guest {i}") for i in range(20)]
    headers = {"authorization": f"Bearer {f.session_for(ctx, admin)}"}
    return (
        url,
        function_url_event("GET", f"/api/events/{event.id}/roster", headers=headers),
        function_url_event("GET", "/api/me", headers=headers),
        function_url_event("GET", f"/g/{bookings[0].guest_token}"),
    )


def cold_start(moto: MotoServer, zip_path: Path, runs: int) -> dict[str, Any]:
    url, roster, me, guest_page = _roster_event(moto)
    env = lambda_task.clean_env(
        SCC_DATABASE_URL=url,
        SCC_SECRET_KEY="b" * 32,
        SCC_VAR_DIR="/tmp/scc-bench",
        SCC_MAIL_AFTER_COMMIT="false",
    )
    with tempfile.TemporaryDirectory(prefix="scc-cold-") as tmp:
        task = lambda_task.unpack(zip_path, Path(tmp) / "task")
        runtime = lambda_task.runtime(Path(tmp) / "runtime")
        cases = {
            "roster_ms": (FIRST_EVENT, json.dumps(roster)),
            "me_ms": (FIRST_EVENT, json.dumps(me)),
            "guest_ms": (FIRST_EVENT, json.dumps(guest_page)),
            "scheduled_ms": (FIRST_EVENT, json.dumps(SCHEDULED)),
            "floor_ms": (FLOOR,),
            "steps": (STEPS, json.dumps(roster)),
        }
        times: dict[str, list] = {name: [] for name in cases}
        cpu: dict[str, list] = {name: [] for name in cases}
        for _ in range(runs):
            for name, (script, *args) in cases.items():
                out = lambda_task.run(task, runtime, script, *args, env=env)
                assert out["compiled"] == [], out["compiled"]
                times[name].append(out["ms"])
                cpu[name].append(out.get("cpu"))
        for path in [task, *task.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
    steps = times.pop("steps")
    figures: dict[str, Any] = {n: statistics.median(v) for n, v in times.items()}
    for i, name in enumerate(STEP_NAMES):
        figures[f"step: {name}"] = statistics.median(run[i] for run in steps)
    figures["roster_ratio"] = figures["roster_ms"] / figures["floor_ms"]
    figures["scheduled_ratio"] = figures["scheduled_ms"] / figures["floor_ms"]
    figures["me_ratio"] = figures["me_ms"] / figures["floor_ms"]
    figures["guest_ratio"] = figures["guest_ms"] / figures["floor_ms"]
    # Each run's own ratio, and in CPU time (steadier than wall time on a busy machine).
    for name in ("roster", "scheduled"):
        pairs = list(zip(times[f"{name}_ms"], times["floor_ms"], strict=True))
        ratios = sorted(a / b for a, b in pairs)
        figures[f"{name}_ratio_range"] = (ratios[0], ratios[-1])
        cpu_ratios = [a / b for a, b in zip(cpu[f"{name}_ms"], cpu["floor_ms"], strict=True)]
        figures[f"{name}_cpu_ratio"] = statistics.median(cpu_ratios)
    return figures


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
    parser.add_argument("--zip", type=Path, help="a zip built for this machine (default: build)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scc-zip-") as tmp:
        zip_path = args.zip or lambda_task.build_here(Path(tmp))
        size = zip_path.stat().st_size
        moto = MotoServer()
        moto.start()
        os.environ.update(CREDENTIALS)
        try:
            cold = cold_start(moto, zip_path, args.runs)
            print(
                f"cold start ({lambda_task.HERE}, Python {lambda_task.PYTHON}, read-only, no "
                f"bytecode written): roster read {cold['roster_ms']:.0f} ms "
                f"({cold['roster_ratio']:.2f}x), scheduled event {cold['scheduled_ms']:.0f} ms "
                f"({cold['scheduled_ratio']:.2f}x); FastAPI+Mangum import alone "
                f"{cold['floor_ms']:.0f} ms"
            )
            print(
                "per run: roster read {:.2f}x-{:.2f}x, scheduled event {:.2f}x-{:.2f}x; "
                "in CPU time: roster read {:.2f}x, scheduled event {:.2f}x".format(
                    *cold["roster_ratio_range"],
                    *cold["scheduled_ratio_range"],
                    cold["roster_cpu_ratio"],
                    cold["scheduled_cpu_ratio"],
                )
            )
            print(
                f"other first requests: who-am-I (a console's first) {cold['me_ms']:.0f} ms "
                f"({cold['me_ratio']:.2f}x), a patron's guest page {cold['guest_ms']:.0f} ms "
                f"({cold['guest_ratio']:.2f}x)"
            )
            print(
                "roster read step by step: "
                + ", ".join(
                    f"{name[6:]} {ms:.0f} ms" for name, ms in cold.items() if name[:6] == "step: "
                )
            )
            for name, counted in requests_per_operation(moto).items():
                print(f"{name}: {sum(counted.values())} DynamoDB requests {counted}")
        finally:
            moto.stop()
        print(f"package: {size / 1e6:.1f} MB zipped ({lambda_task.HERE})")


if __name__ == "__main__":
    main()
