"""Profile the real server with py-spy while wrk drives one workload at a time.

SQLite, 1 worker, 500 patrons and 500 payments (with their emails and audit entries); for
each of health, roster, payment and check-in: py-spy samples the server for a few seconds
under 16 connections and the script prints the share of samples per package (the first of
our modules, SQLAlchemy, sqlite3, pydantic, starlette/fastapi, uvicorn, fpdf, email, json,
other) and the busiest functions, leaves first. The flame graphs (speedscope JSON) stay in
``--out``.

    .venv/bin/python bench/profile.py [--seconds 8] [--out var/profile] [--gil]
        [--kinds health,roster,payment,checkin]

``--gil`` counts only samples holding the interpreter lock (Python's own CPU).
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import lua, pay_each, seed, settle, start_server  # noqa: E402

PACKAGES = [
    ("shipcaptaincrew/", "ours"),
    ("sqlalchemy/", "sqlalchemy"),
    ("sqlite3/", "sqlite3"),
    ("pydantic", "pydantic"),
    ("fastapi/", "fastapi"),
    ("starlette/", "starlette"),
    ("uvicorn/", "uvicorn"),
    ("fpdf/", "fpdf"),
    ("email/", "email (MIME)"),
    ("json/", "json"),
    ("gzip", "gzip"),
    ("logging/", "logging"),
    ("anyio/", "anyio (thread pool)"),
]
# Leaves where a thread waits (the event loop in C, pool threads for work): not counted.
IDLE = ("Condition.wait (threading.py", "Runner.run (asyncio/runners.py")


def package(frame: str) -> str:
    for needle, name in PACKAGES:
        if needle in frame:
            return name
    return "other"


def summarise(raw: Path, top: int) -> None:
    """``raw``: py-spy's collapsed stacks (``a;b;c count``), root first."""
    by_package: collections.Counter[str] = collections.Counter()
    by_leaf: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        n = int(count)
        if frames[-1].startswith(IDLE):
            continue
        total += n
        # The deepest frame outside the standard library's plumbing names the cost.
        by_package[package(frames[-1]) if package(frames[-1]) != "other" else _owner(frames)] += n
        by_leaf[frames[-1]] += n
    print("  " + ", ".join(f"{k} {v * 100 / total:.0f}%" for k, v in by_package.most_common()))
    for frame, n in by_leaf.most_common(top):
        print(f"    {n * 100 / total:5.1f}%  {frame[:110]}")


def _owner(frames: list[str]) -> str:
    for frame in reversed(frames):
        if (name := package(frame)) != "other":
            return name
    return "other"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--out", type=Path, default=Path("var/profile"))
    parser.add_argument(
        "--gil", action="store_true", help="only samples holding the GIL (Python's CPU)"
    )
    parser.add_argument("--kinds", default="health,roster,payment,checkin")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        server = start_server(tmp / "profile", 1, None)
        assert server.proc is not None
        try:
            event, ids, token = seed(server, 500)
            pay_each(server, event, ids, token)
            for kind in args.kinds.split(","):
                settle(server.proc.pid)
                raw = args.out / f"{kind}.txt"
                spy = subprocess.Popen(
                    [str(Path(sys.executable).parent / "py-spy"), "record", "--format", "raw"]
                    + ["--nonblocking", "--threads", "-r", "200", "-d", str(args.seconds)]
                    + (["--gil"] if args.gil else [])
                    + ["-p", str(server.proc.pid), "-o", str(raw)],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                # The paced pairs of check-in and roster at one connection (bench/run.py).
                conns = ["-t1", "-c1"] if kind == "changing" else ["-t2", "-c16"]
                subprocess.run(
                    ["wrk", *conns, f"-d{args.seconds}s"]
                    + ["-s", str(lua(tmp, kind, event, ids, token)), server.url],
                    check=True,
                    capture_output=True,
                )
                spy.wait(60)
                print(f"{kind}:")
                summarise(raw, args.top)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
