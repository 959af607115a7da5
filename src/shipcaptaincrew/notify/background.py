"""Deliver email off the request path: one background thread, or a process of its own.

``BackgroundDelivery`` runs ``deliver(ids)`` (ids of just-committed outbox messages, or None
for everything due) on one worker thread, so a slow mail server never delays a response;
``start`` also sweeps for due retries every ``every`` seconds. It knows nothing of the
outbox itself: the app factory hands it the delivery use case. ``DeliveryProcess`` hands the
ids to a separate process instead (``scc outbox follow``, for ``scc serve``): rendering a
receipt PDF and its MIME message then never holds the interpreter a request is waiting for.
"""

from __future__ import annotations

import contextlib
import logging
import subprocess
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from ..domain.models import OutboxMessage

log = logging.getLogger("shipcaptaincrew.outbox")

Deliver = Callable[[list[str] | None], object]


class BackgroundDelivery:
    """``Context.after_commit`` for a long-running server. What fails stays queued."""

    def __init__(self, deliver: Deliver) -> None:
        self._deliver = deliver
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="scc-mail")
        self._pending: set[Future[None]] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sweeper: threading.Thread | None = None

    def __call__(self, messages: Sequence[OutboxMessage]) -> None:
        if messages:
            self._submit([m.id for m in messages])

    def _submit(self, ids: list[str] | None) -> None:
        future = self._pool.submit(self._run, ids)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)

    def _done(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _run(self, ids: list[str] | None) -> None:
        try:
            self._deliver(ids)
        except Exception:
            log.exception("background delivery failed; the messages stay queued")

    def start(self, every: float = 30) -> None:
        """Deliver what is due now and then every ``every`` seconds, until ``close``."""

        def sweep() -> None:
            while True:
                self._submit(None)
                if self._stop.wait(every):
                    return

        self._sweeper = threading.Thread(target=sweep, name="scc-mail-sweep", daemon=True)
        self._sweeper.start()

    def drain(self, timeout: float = 30) -> None:
        """Wait for the deliveries started so far (tests, shutdown)."""
        with self._lock:
            pending = list(self._pending)
        for future in pending:
            future.result(timeout)

    def close(self) -> None:
        self._stop.set()
        if self._sweeper is not None:
            self._sweeper.join(5)
        self._pool.shutdown(wait=True)


class DeliveryProcess:
    """``Context.after_commit`` for ``scc serve``: hands the ids of just-committed messages to
    a delivery process of their own (``command``, one line of ids per call on its standard
    input), so that rendering and sending never share this interpreter with the requests.
    The process sweeps for retries and reminders itself and ends when its input closes:
    when this one closes it, exits or is killed. If it has died (writing to it fails) it is
    started again; what could not be handed over stays queued for the next sweep."""

    def __init__(self, command: Sequence[str]) -> None:
        self._command = list(command)
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def __call__(self, messages: Sequence[OutboxMessage]) -> None:
        if not messages:
            return
        line = (" ".join(m.id for m in messages) + "\n").encode()
        with self._lock:
            for _attempt in range(2):
                try:
                    if self._proc is None:
                        self._spawn()
                    assert self._proc is not None and self._proc.stdin is not None
                    self._proc.stdin.write(line)
                    self._proc.stdin.flush()
                    return
                except OSError:  # it has ended (a broken pipe): start another, once
                    self._proc = None
            log.error("the delivery process does not start; the messages stay queued")

    def _spawn(self) -> None:
        # The command is this program's own (bootstrap builds it), never input.
        self._proc = subprocess.Popen(self._command, stdin=subprocess.PIPE)  # noqa: S603

    def start(self) -> None:
        with self._lock:
            self._spawn()

    def close(self, timeout: float = 10) -> None:
        with self._lock:
            proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
