"""moto's server mode on a free local port, as a separate process (DynamoDB for tests).

moto's DynamoDB backend is not thread-safe: a cancelled transaction restores a copy of
the whole table taken when it started, wiping writes that other threads made meanwhile.
Real DynamoDB serialises conflicting writes per item, so the server here answers one
request at a time (``python -m tests.moto_server PORT``); clients still run concurrently.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REGION = "us-east-1"
DYNAMODB_TARGET = "DynamoDB_20120810."  # X-Amz-Target of every DynamoDB (not Streams) call
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MotoServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.moto_server", str(self.port)],
            cwd=ROOT,
            env={**os.environ, **CREDENTIALS},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("moto server exited") from None
                time.sleep(0.1)
        raise RuntimeError("moto server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)

    def url(self, table: str) -> str:
        return f"dynamodb://{table}?region={REGION}&endpoint_url={self.endpoint}"


def _copy_tables_once_per_transaction() -> None:
    """moto's TransactWriteItems deep-copies the table an item names before each of the
    transaction's items, to put back if the transaction is cancelled. It writes nothing
    until every copy is taken, so the copies of one table are alike and the last is the
    one kept: here a table is copied once per transaction and that copy handed back for
    the rest (a payment names one table five times). What a cancelled transaction puts
    back is the same; a request is answered only after the one before it (``serial``)."""
    import copy

    from moto.dynamodb import models

    taken: dict[int, Any] | None = None

    class _Copy:
        """``copy`` as moto's DynamoDB models see it."""

        def __getattr__(self, name: str) -> Any:
            return getattr(copy, name)

        @staticmethod
        def deepcopy(obj: Any, memo: Any = None) -> Any:
            if taken is None or not isinstance(obj, models.Table):
                return copy.deepcopy(obj, memo)
            if id(obj) not in taken:
                taken[id(obj)] = copy.deepcopy(obj, memo)
            return taken[id(obj)]

    transact = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: Any) -> None:
        nonlocal taken
        taken = {}
        try:
            transact(self, transact_items)
        finally:
            taken = None

    models.copy = _Copy()  # type: ignore[assignment]
    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def _serve(port: int) -> None:
    from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import run_simple

    app = DomainDispatcherApplication(create_backend_app)
    # Most requests are DynamoDB's: they go straight to its app (the backends' state is
    # moto's own, shared by both), where the dispatcher would look through moto's ~200
    # service folders on disk for each. Werkzeug's line per request is not written.
    dynamodb = app.create_app("dynamodb")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    _copy_tables_once_per_transaction()
    lock = threading.Lock()

    def serial(environ: dict[str, Any], start_response: Any) -> Any:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        chosen = dynamodb if target.startswith(DYNAMODB_TARGET) else app
        with lock:
            return list(chosen(environ, start_response))

    run_simple("127.0.0.1", port, serial, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    os.environ.setdefault("MOTO_PORT", sys.argv[1])
    _serve(int(sys.argv[1]))
