"""HTTP benchmark of the real server: roster read, payment logging and check-in with wrk.

Starts ``scc serve`` (uvicorn with uvloop and httptools) on a fresh SQLite file, loads an
event with 500 patrons through the API, then drives it with wrk for each workload at one
and two worker processes. Prints requests/s, p50/p99 latency and failed requests.

    .venv/bin/python bench/run.py [--duration 10] [--connections 16] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.server import LiveServer  # noqa: E402

LUA = r"""
local ids = {%(ids)s}
local event = "%(event)s"
local token = "%(token)s"
local kind = "%(kind)s"
local counter = 0
local tid = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  tid = tid or 0
end

request = function()
  counter = counter + 1
  local pid = ids[(counter %% #ids) + 1]
  local headers = {["Authorization"] = "Bearer " .. token,
                   ["Content-Type"] = "application/json"}
  if kind == "roster" then
    return wrk.format("GET", "/api/events/" .. event .. "/roster", headers)
  elseif kind == "health" then
    return wrk.format("GET", "/api/health")
  elseif kind == "payment" then
    headers["Idempotency-Key"] = "bench-" .. tid .. "-" .. counter .. "-" .. math.random(1e9)
    return wrk.format("POST", "/api/events/" .. event .. "/" .. pid .. "/payment", headers,
                      '{"amount_cents": 1, "method": "cash"}')
  else
    local round = math.floor(counter / #ids) %% 2
    local body = round == 0 and '{"checked_in": true}' or '{"checked_in": false}'
    return wrk.format("POST", "/api/events/" .. event .. "/" .. pid .. "/attendance",
                      headers, body)
  end
end
"""


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def run_wrk(url: str, script: Path, duration: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = int(non2xx.group(1)) if non2xx else 0
    if socket:
        failed += sum(int(g) for g in socket.groups())
    return {"rps": rate, "p50_ms": p50, "p99_ms": p99, "requests": total, "failed": failed}


def seed(server: LiveServer, patrons: int) -> tuple[str, list[str], str]:
    client = server.login()
    event = client.post(
        "/api/events",
        json={
            "title": "Bench cruise",
            "starts_at": "2030-07-01T10:00:00Z",
            "price_cents": 10_000_000,
            "currency": "USD",
        },
    ).json()
    ids = []
    for i in range(patrons):
        r = client.post(
            f"/api/events/{event['id']}/roster",
            json={"name": f"Guest {i:03d}", "email": f"g{i}@example.com"},
        )
        r.raise_for_status()
        ids.append(r.json()["patron_id"])
    return event["id"], ids, client.headers["Authorization"].split()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--patrons", type=int, default=500)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: scripts/system-deps.sh wrk")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for workers in [int(w) for w in args.workers.split(",")]:
            server = LiveServer(Path(tmp) / f"w{workers}", workers=workers)
            server.prepare()
            server.start()
            try:
                event, ids, token = seed(server, args.patrons)
                for kind in ("health", "roster", "payment", "checkin"):
                    script = Path(tmp) / f"{kind}.lua"
                    script.write_text(
                        LUA
                        % {
                            "ids": ",".join(f'"{i}"' for i in ids),
                            "event": event,
                            "token": token,
                            "kind": kind,
                        }
                    )
                    # One connection first: the latency of a single request, unqueued.
                    for conns in (1, args.connections):
                        figures = run_wrk(server.url, script, args.duration, conns)
                        results.append(
                            {"workers": workers, "workload": kind, "conns": conns, **figures}
                        )
            finally:
                server.stop()
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"wrk -d{args.duration}s, SQLite, {args.patrons} patrons")
    print(
        f"{'workers':>7} {'workload':<9} {'conns':>5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'requests':>9} {'failed':>7}"
    )
    for r in results:
        print(
            f"{r['workers']:>7} {r['workload']:<9} {r['conns']:>5} {r['rps']:>8.0f} "
            f"{r['p50_ms']:>8.2f} "
            f"{r['p99_ms']:>8.2f} {r['requests']:>9} {r['failed']:>7}"
        )


if __name__ == "__main__":
    main()
