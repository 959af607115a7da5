"""Start the real server (``scc serve``: uvicorn) in its own process for end-to-end tests."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ADMIN_EMAIL = "admin@example.org"
ADMIN_PASSWORD = "correct-horse-battery"  # noqa: S105


_TEMPLATE: Path | None = None


def _prepared_database() -> Path:
    """A database migrated by the real command (``scc init-db``) once per process, with an
    admin added by the use case ``scc create-user`` runs; removed when the process ends.

    The admin is added in this process, so its stored hash has the argon2 parameters this
    process hashes with: the tests' (``profiles.CHEAPEST``, see ``tests/conftest.py``) or,
    outside the tests, production's. argon2 verifies with the parameters a hash carries, so
    a live server checks the admin's password with its own, unchanged code in about a
    millisecond instead of about 0.18 s of CPU, and every hash a server makes (a new crew
    member, a password reset) still has production's parameters."""
    global _TEMPLATE
    if _TEMPLATE is None:
        from shipcaptaincrew.config import Settings
        from shipcaptaincrew.domain.models import SYSTEM, Role
        from shipcaptaincrew.services import auth
        from shipcaptaincrew.services.context import Context
        from shipcaptaincrew.storage.sql import SqlStore

        folder = Path(tempfile.mkdtemp(prefix="scc-live-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        maker = LiveServer(folder)
        maker.scc("init-db")
        store = SqlStore(maker.env["SCC_DATABASE_URL"])
        try:
            ctx = Context(store=store, settings=Settings.from_env(maker.env))
            auth.create_crew(
                ctx,
                actor=SYSTEM,
                name="Ada Admin",
                email=ADMIN_EMAIL,
                role=Role.ADMIN,
                password=ADMIN_PASSWORD,
            )
        finally:
            store.close()
        _TEMPLATE = folder / "scc.db"
    return _TEMPLATE


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    var_dir: Path
    port: int = field(default_factory=free_port)
    workers: int = 1
    extra_env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCC_")}
        env.update(
            {
                "SCC_VAR_DIR": str(self.var_dir),
                "SCC_DATABASE_URL": f"sqlite:///{self.var_dir / 'scc.db'}",
                "SCC_SECRET_KEY": "live-test-secret-key-0123456789",
                "SCC_PUBLIC_URL": self.url,
                **self.extra_env,
            }
        )
        return env

    def scc(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "shipcaptaincrew.cli", *args],
            check=True,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            cwd=self.var_dir,
        )

    def prepare(self) -> None:
        """A copy of the migrated database with its admin (``_prepared_database``, made once
        per test process)."""
        self.var_dir.mkdir(parents=True, exist_ok=True)
        template = _prepared_database()
        for part in template.parent.glob(f"{template.name}*"):  # the file and any WAL
            shutil.copyfile(part, self.var_dir / part.name)

    def start(self) -> LiveServer:
        cmd = [
            sys.executable,
            "-m",
            "shipcaptaincrew.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
        ]
        log = (self.var_dir / "server.log").open("ab")
        self.proc = subprocess.Popen(
            cmd,
            env=self.env,
            cwd=self.var_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {(self.var_dir / 'server.log').read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/health", timeout=1) as r:  # noqa: S310
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start in 30 s")

    def kill(self) -> None:
        """SIGKILL the whole process group: no clean shutdown."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def login(self, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> httpx.Client:
        """An httpx client signed in with a bearer token."""
        client = httpx.Client(base_url=self.url, timeout=30)
        r = client.post("/admin/login", json={"email": email, "password": password})
        r.raise_for_status()
        client.headers["Authorization"] = f"Bearer {r.json()['token']}"
        return client


@contextmanager
def running(var_dir: Path, workers: int = 1) -> Iterator[LiveServer]:
    """A prepared and started server on ``var_dir`` for the ``with`` block, stopped after it."""
    server = LiveServer(var_dir, workers=workers)
    server.prepare()
    server.start()
    try:
        yield server
    finally:
        server.stop()
