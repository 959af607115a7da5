"""HTTP benchmark of the real server: server CPU per request beside a bare FastAPI app.

Starts ``scc serve`` (uvicorn with uvloop and httptools) on a fresh database, loads an event
with 500 patrons through the API, then drives it with wrk for a few seconds per workload:
health, the roster, the roster again after 500 payments (with their receipt emails and audit
entries), logging a payment and a check-in. Each roster is measured twice: as the server
answers an unchanged one (kept, once its last change is 10 s old: web/roster_cache.py), and
made afresh on every request (``_made``: a second server on the same database with
``SCC_ROSTER_CACHE_EVENTS=0``), as the first request after each change was before kept
rosters were brought up to date; and ``roster_changing``: one connection checking a patron
in and loading the roster right after, two pairs a second, counted as the pair's CPU less
a check-in's made at the same pace alone (``checkin_paced``; the roster brought up to date
from its changes). Roster requests ask for
gzip, as a phone's browser does. For each it
prints requests/s and p99 with 16 connections, p50 with one, and the server's CPU per
request: the utime + stime of every process of the server (read from /proc before and after
the requests) divided by the requests served. The busy machine makes wall-clock figures
noisy; CPU per request is the steady one, and each is printed beside the bare app's
(bench/bare_app.py, the same uvicorn settings and worker count, measured in the same run) as
a multiple of it. Every figure is the median of ``--repeat`` runs, with the range. A
payment's CPU is counted until the server is idle again, so its receipt email (rendered and
sent in the background) is in it; the share of the email delivery process (``scc outbox
follow``) is printed beside it. Last of the workloads, ``payment_quiet``: a payment without
its email, on the second server (which delivers none) with the first one stopped, so that
no receipt is rendered anywhere meanwhile (its email is queued in the same write, as
always). A receipt rendered beside a request raises the request's own CPU on this machine
(a busy neighbouring core; a Python loop at nice 5 beside the payments did the same), so
the payment's share in ``payment`` reads higher than a payment costs.

Setups: SQLite with 1 and 2 workers, PostgreSQL with 2 workers (a database of its own at
``--postgres``, dropped after; skipped when the server does not answer). Then a separate
bounded run logs payments one at a time (one connection) on SQLite with 1 worker, with the
receipt emails delivered and without (``SCC_MAIL_AFTER_COMMIT=false``), and prints the p50
of each (``--no-lone`` skips it). Last, a bounded run logs payments one after another on
SQLite with 1 worker and prints the worker's resident memory after 100 and after
``--memory-payments`` payments.

    .venv/bin/python bench/run.py [--repeat 2] [--setups sqlite1,sqlite2,pg2] [--no-lone]
        [--memory-payments 10000] [--memory-budget 180]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.server import ADMIN_EMAIL, ADMIN_PASSWORD, LiveServer, free_port  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")

LUA = r"""
local ids = {%(ids)s}
local event = "%(event)s"
local token = "%(token)s"
local kind = "%(kind)s"
local counter = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

request = function()
  counter = counter + 1
  local pid = ids[(counter %% #ids) + 1]
  local headers = {["Authorization"] = "Bearer " .. token,
                   ["Content-Type"] = "application/json"}
  if kind == "changing" or kind == "roster" then
    headers["Accept-Encoding"] = "gzip"  -- as a phone's browser asks
  end
  if kind == "changing" then
    -- a check-in, then the roster right after it; a pair every PACE_MS (delay below)
    if counter %% 2 == 0 then
      return wrk.format("GET", "/api/events/" .. event .. "/roster", headers)
    end
    local round = math.floor(counter / 2 / #ids) %% 2
    local body = round == 0 and '{"checked_in": true}' or '{"checked_in": false}'
    pid = ids[(math.floor(counter / 2) %% #ids) + 1]
    return wrk.format("POST", "/api/events/" .. event .. "/" .. pid .. "/attendance",
                      headers, body)
  end
  if kind == "roster" then
    return wrk.format("GET", "/api/events/" .. event .. "/roster", headers)
  elseif kind == "health" then
    return wrk.format("GET", "/api/health")
  elseif kind == "payment" then
    -- wrk's random numbers repeat from run to run: the run's own name keeps keys new
    headers["Idempotency-Key"] = "bench-%(run)s-" .. tid .. "-" .. counter
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
# Only in the paced script: wrk times every request of a script that has a delay.
PACED = """
delay = function()
  if kind == "paced" or counter %% 2 == 0 then
    return %(pace)d
  end
  return 0
end
"""

# The roster kept while unchanged (web/roster_cache.py: SETTLE after its last change), and
# made afresh by a server that keeps none (SCC_ROSTER_CACHE_EVENTS=0) on the same database.
WORKLOADS = (
    "health",
    "roster",
    "roster_made",
    "roster_after",
    "roster_after_made",
    "checkin_paced",
    "roster_changing",
    "payment",
    "checkin",
    "payment_quiet",
)
# Served by the second server (``fresh``: keeps no roster, delivers no email).
ON_FRESH = {"roster_made", "roster_after_made", "payment_quiet"}
SETTLE_S = 10.5
# The roster right after a change (``roster_changing``): one phone checking a patron in and
# then loading the roster, a pair every PACE_MS (a busy dock: two check-ins a second), for
# CHANGING_S. Its CPU is the pair's less a check-in's made at the same pace alone
# (``checkin_paced``: a check-in every PACE_MS, for CHANGING_S), each less the server's
# idle CPU over its run (measured for IDLE_S before it): what the roster costs brought up to
# date (web/roster_cache.py). A request that comes after half a second of quiet costs this
# machine several times what the same request costs in a busy stream (caches gone cold: a
# health request about 1 ms against 0.12), so the check-in taken off is one paced as in the
# pair, not the check-in workload's ``CPU(1)``, measured back to back.
PACED_KINDS = {"checkin_paced": "paced", "roster_changing": "changing"}
PACE_MS, CHANGING_S, IDLE_S = 500, 30, 10

# Seconds per measurement with 16 connections and with one: hundreds of requests at least
# (CPU ticks are 10 ms), short enough that the whole run stays within a few minutes.
LOADED_S, ALONE_S = 3, 2


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def group_cpu(pgid: int) -> float:
    """CPU seconds (user + system) used so far by every live process in group ``pgid``."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        rest = stat[stat.rindex(")") + 2 :].split()
        if int(rest[2]) == pgid:
            total += int(rest[11]) + int(rest[12])
    return total / TICK


def mail_cpu(pgid: int) -> float:
    """CPU seconds used so far by the email delivery processes (``scc outbox follow``) in
    group ``pgid``; 0 when the server delivers in its own process."""
    total = 0
    for pid in group_pids(pgid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if b"outbox" in cmdline and b"follow" in cmdline:
            rest = stat[stat.rindex(")") + 2 :].split()
            total += int(rest[11]) + int(rest[12])
    return total / TICK


def group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[2]) == pgid:
                pids.append(int(entry))
    return sorted(pids)


def settle(pgid: int, timeout: float = 90.0) -> None:
    """Wait until the server is idle (under 5% of a core over half a second): the receipt
    emails of earlier payments are delivered in the background and must not be counted
    against the next workload."""
    deadline = time.monotonic() + timeout
    last = group_cpu(pgid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = group_cpu(pgid)
        if now - last < 0.025:
            return
        last = now


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_wrk(url: str, script: Path, seconds: float, connections: int) -> dict[str, float]:
    threads = min(2, connections)
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
        + ["--latency"]
        + ["-s", str(script), url],
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


def measure(
    url: str,
    pgid: int,
    script: Callable[[], Path],
    seconds: float,
    connections: int,
    *,
    until_quiet: bool = False,
) -> dict[str, float]:
    """wrk for ``seconds``; the server's CPU over the run divided by the requests served.
    ``until_quiet``: counted until the server is idle again, so that the emails the
    requests queued (delivered in the background) are counted too; ``mail_cpu_ms`` is
    the share of the delivery process when there is one."""
    before, mail_before = group_cpu(pgid), mail_cpu(pgid)
    figures = run_wrk(url, script(), seconds, connections)
    if until_quiet:
        settle(pgid)
    spent, mail = group_cpu(pgid) - before, mail_cpu(pgid) - mail_before
    n = max(1, figures["requests"])
    return {**figures, "cpu_ms": spent * 1000 / n, "mail_cpu_ms": mail * 1000 / n}


def lua(folder: Path, kind: str, event: str = "", ids: list[str] = (), token: str = "") -> Path:  # type: ignore[assignment]
    run = f"{os.getpid()}-{time.monotonic_ns()}"
    script = folder / f"{kind}-{run}.lua"
    script.write_text(
        (LUA + (PACED if kind in ("changing", "paced") else ""))
        % {
            "run": run,
            "ids": ",".join(f'"{i}"' for i in ids) or '"-"',
            "event": event,
            "token": token,
            "kind": kind,
            "pace": PACE_MS,
        }
    )
    return script


@contextmanager
def bare_app(workers: int, module: str = "bare_app") -> Iterator[tuple[str, int]]:
    """The bare FastAPI app (or ``module``'s ``app``, in bench/, with a health route) under
    uvicorn, as ``scc serve`` runs it: (url, process group)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", f"{module}:app", "--app-dir", str(ROOT / "bench")]
        + ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
        + ["--log-level", "warning", "--no-access-log"],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/health", timeout=1):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url, proc.pid
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(10)


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

    def add(i: int) -> str:
        r = client.post(
            f"/api/events/{event['id']}/roster",
            json={"name": f"Guest {i:03d}", "email": f"g{i}@example.com"},
        )
        r.raise_for_status()
        return str(r.json()["patron_id"])

    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(add, range(patrons)))
    return event["id"], ids, client.headers["Authorization"].split()[1]


def pay_each(server: LiveServer, event: str, ids: list[str], token: str) -> None:
    """One payment per patron (each queues its receipt email and writes audit entries)."""
    import httpx

    client = httpx.Client(
        base_url=server.url, timeout=30, headers={"Authorization": f"Bearer {token}"}
    )

    def pay(pid: str) -> None:
        r = client.post(
            f"/api/events/{event}/{pid}/payment",
            json={"amount_cents": 100, "method": "cash"},
            headers={"Idempotency-Key": f"each-{pid}"},
        )
        r.raise_for_status()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(pay, ids))


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str | None]:
    """A database of our own on the PostgreSQL server at ``admin_url``, dropped after."""
    try:
        import psycopg

        conn = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except Exception as err:  # noqa: BLE001
        print(f"PostgreSQL skipped: {err}".splitlines()[0], file=sys.stderr)
        yield None
        return
    name = f"scc_bench_{os.getpid()}"
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()


def start_server(
    folder: Path, workers: int, database_url: str | None, env: dict[str, str] | None = None
) -> LiveServer:
    if database_url is None:
        server = LiveServer(folder, workers=workers, extra_env=env or {})
        server.prepare()
    else:
        server = LiveServer(folder, workers=workers, extra_env={"SCC_DATABASE_URL": database_url})
        folder.mkdir(parents=True, exist_ok=True)
        server.scc("init-db")
        server.scc(
            "create-user",
            "--email",
            ADMIN_EMAIL,
            "--name",
            "Ada Admin",
            "--role",
            "admin",
            env={"SCC_NEW_USER_PASSWORD": ADMIN_PASSWORD},
        )
    return server.start()


def summary(runs: list[dict[str, float]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in runs[0]:
        values = [r[key] for r in runs]
        out[key] = statistics.median(values)
        out[f"{key}_range"] = (min(values), max(values))
    return out


def bench_setup(
    tmp: Path, label: str, workers: int, database_url: str | None, args: argparse.Namespace
) -> list[dict[str, Any]]:
    server = start_server(tmp / label, workers, database_url)
    assert server.proc is not None
    # The same database served by a second server that keeps no roster: the roster made
    # afresh on every request, as after every change. It delivers no email (the first
    # server's receipts, and their CPU, stay with the first server).
    fresh = LiveServer(
        server.var_dir,
        workers=workers,
        extra_env={
            **server.extra_env,
            "SCC_ROSTER_CACHE_EVENTS": "0",
            "SCC_MAIL_AFTER_COMMIT": "false",
        },
    ).start()
    assert fresh.proc is not None
    rows: list[dict[str, Any]] = []
    try:
        event, ids, token = seed(server, args.patrons)
        settle(server.proc.pid)
        changed = time.monotonic()
        with bare_app(workers) as (bare_url, bare_pgid):
            bare = [
                measure(bare_url, bare_pgid, lambda: lua(tmp, "health"), LOADED_S, 16)
                for _ in range(args.repeat)
            ]
            rows.append({"setup": label, "workload": "bare health", **summary(bare), "x": 1.0})
            for kind in WORKLOADS:
                if kind == "roster_after":
                    pay_each(server, event, ids, token)
                    settle(server.proc.pid)
                    changed = time.monotonic()
                if kind == "payment_quiet":  # no receipts rendered anywhere meanwhile
                    server.stop()
                target = fresh if kind in ON_FRESH else server
                assert target.proc is not None
                pgid = target.proc.pid
                settle(pgid)
                if kind in ("roster", "roster_after"):
                    # A roster is kept once its last change is SETTLE old; the last change
                    # is the last receipt's delivery, before the server went quiet.
                    time.sleep(max(0.0, changed + SETTLE_S - time.monotonic()))
                wrk_kind = PACED_KINDS.get(kind, kind.split("_", 1)[0])

                def script(wrk_kind: str = wrk_kind) -> Path:
                    return lua(tmp, wrk_kind, event, ids, token)

                if kind in PACED_KINDS:
                    # What the server spends idle (the delivery process's sweep, timers)
                    # is taken off: the pace leaves it idle most of the time.
                    idle = group_cpu(pgid)
                    time.sleep(IDLE_S)
                    idle_per_s = (group_cpu(pgid) - idle) / IDLE_S
                    runs = [
                        measure(target.url, pgid, script, CHANGING_S, 1) for _ in range(args.repeat)
                    ]
                    for run in runs:
                        run["cpu_ms"] -= idle_per_s * CHANGING_S * 1000 / max(1, run["requests"])
                    paced = summary(runs)
                    if kind == "roster_changing":
                        # Per pair, for now: the paced check-in is taken off at the end.
                        paced["cpu_ms"] *= 2
                        paced["cpu_ms_range"] = tuple(2 * v for v in paced["cpu_ms_range"])
                    rows.append({"setup": label, "workload": kind, **paced})
                    continue
                quiet = kind == "payment"  # its receipts are delivered in the background
                loaded = summary(
                    [
                        measure(target.url, pgid, script, LOADED_S, 16, until_quiet=quiet)
                        for _ in range(args.repeat)
                    ]
                )
                alone = measure(target.url, pgid, script, ALONE_S, 1, until_quiet=quiet)
                # The bare app again, between workloads: the machine's load drifts.
                bare.append(measure(bare_url, bare_pgid, lambda: lua(tmp, "health"), ALONE_S, 16))
                rows.append(
                    {
                        "setup": label,
                        "workload": kind,
                        **loaded,
                        "p50_1conn_ms": alone["p50_ms"],
                        "cpu_1conn_ms": alone["cpu_ms"],
                    }
                )
        rows[0].update(summary(bare), x=1.0)
        checkin = next(r["cpu_ms"] for r in rows if r["workload"] == "checkin_paced")
        for row in rows:
            if row["workload"] == "roster_changing":
                row["cpu_ms"] -= checkin
                row["cpu_ms_range"] = tuple(v - checkin for v in row["cpu_ms_range"])
        for row in rows[1:]:  # against every bare run of this setup
            row["x"] = row["cpu_ms"] / rows[0]["cpu_ms"]
    finally:
        fresh.stop()
        server.stop()
    for row in rows:
        print(line(row), flush=True)
    return rows


def lone_payments(tmp: Path, args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """One payment at a time on SQLite, 1 worker, with in-process email delivery on (the
    receipts rendered and sent in the background) and off: p50 and CPU per request, the
    median of ``--repeat`` runs each (the receipts' CPU counted until the server is idle)."""
    out: dict[str, dict[str, Any]] = {}
    for label, mail in (("receipts on", "true"), ("receipts off", "false")):
        server = start_server(tmp / f"lone-{mail}", 1, None, {"SCC_MAIL_AFTER_COMMIT": mail})
        assert server.proc is not None
        pgid = server.proc.pid
        try:
            event, ids, token = seed(server, 50)
            settle(pgid)
            runs = [
                measure(
                    server.url,
                    pgid,
                    lambda: lua(tmp, "payment", event, ids, token),  # noqa: B023 - called at once
                    ALONE_S,
                    1,
                    until_quiet=True,
                )
                for _ in range(max(3, args.repeat))
            ]
            out[label] = summary(runs)
        finally:
            server.stop()
    return out


def memory_run(tmp: Path, payments: int, budget_s: float) -> dict[str, Any]:
    """Payments one connection at a time on SQLite, 1 worker: resident size of the server
    process after 100 and after ``payments`` (or as many as ``budget_s`` allowed)."""
    server = start_server(tmp / "memory", 1, None)
    assert server.proc is not None
    pid = server.proc.pid
    try:
        event, ids, token = seed(server, 100)
        pay_each(server, event, ids, token)
        after_100 = rss_mb(pid)
        done = 100
        deadline = time.monotonic() + budget_s
        while done < payments and time.monotonic() < deadline:
            # Short runs, so the count overshoots by a few seconds' worth at most.
            script = lua(tmp, "payment", event, ids, token)
            done += int(run_wrk(server.url, script, 5, 4)["requests"])
        return {"after_100_mb": after_100, "payments": done, "after_n_mb": rss_mb(pid)}
    finally:
        server.stop()


HEADER = (
    f"{'setup':<8} {'workload':<17} {'req/s':>7} {'p50(1) ms':>9} {'p99 ms':>8} "
    f"{'CPU ms/req':>18} {'x bare':>6} {'failed':>6} {'CPU(1) ms':>9} {'mail proc ms':>12}"
)


def line(r: dict[str, Any]) -> str:
    lo, hi = r["cpu_ms_range"]
    p50 = r.get("p50_1conn_ms", r["p50_ms"])
    return (
        f"{r['setup']:<8} {r['workload']:<17} {r['rps']:>7.0f} {p50:>9.2f} {r['p99_ms']:>8.1f} "
        f"{r['cpu_ms']:>7.2f} ({lo:.2f}-{hi:.2f}) {r['x']:>6.1f} {int(r['failed']):>6}"
        + (f" {r['cpu_1conn_ms']:>9.2f}" if "cpu_1conn_ms" in r else f" {'':>9}")
        + (f" {r['mail_cpu_ms']:>12.2f}" if r.get("mail_cpu_ms") else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--patrons", type=int, default=500)
    parser.add_argument("--setups", default="sqlite1,sqlite2,pg2")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "SCC_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--memory-payments", type=int, default=10_000)
    parser.add_argument("--memory-budget", type=float, default=180.0, help="seconds at most")
    parser.add_argument("--json", action="store_true", help="print JSON after the table")
    parser.add_argument("--no-lone", dest="lone", action="store_false", help="skip receipts on/off")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: scripts/system-deps.sh wrk")
    results: list[dict[str, Any]] = []
    memory: dict[str, Any] = {}
    print(
        f"{args.patrons} patrons; CPU is the median of {args.repeat} runs (range), 16 connections;"
        " p50(1), CPU(1): one connection"
    )
    print(HEADER, flush=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for setup in args.setups.split(","):
            workers = int(setup[-1])
            if setup.startswith("pg"):
                with postgres_database(args.postgres) as url:
                    if url is not None:
                        results += bench_setup(tmp, setup, workers, url, args)
            else:
                results += bench_setup(tmp, setup, workers, None, args)
        if args.lone and "sqlite1" in args.setups.split(","):
            for label, r in lone_payments(tmp, args).items():
                lo, hi = r["p50_ms_range"]
                print(
                    f"lone payment (SQLite, 1 worker, 1 connection), {label}: p50 "
                    f"{r['p50_ms']:.2f} ms ({lo:.2f}-{hi:.2f}), CPU {r['cpu_ms']:.2f} ms/request"
                    f" (mail process {r['mail_cpu_ms']:.2f})",
                    flush=True,
                )
        if args.memory_payments:
            memory = memory_run(tmp, args.memory_payments, args.memory_budget)
            grew = (memory["after_n_mb"] / memory["after_100_mb"] - 1) * 100
            print(
                f"memory (SQLite, 1 worker): {memory['after_100_mb']:.1f} MB after 100 payments, "
                f"{memory['after_n_mb']:.1f} MB after {memory['payments']} ({grew:+.1f}%)"
            )
    if args.json:
        print(json.dumps({"results": results, "memory": memory}, indent=2))


if __name__ == "__main__":
    main()
