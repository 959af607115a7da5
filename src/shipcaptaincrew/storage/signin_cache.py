"""Sign-ins kept in memory by a SQLite store, and forgotten by every process the moment one of
them ends a session or changes a crew account.

Every signed-in request looks up its session and crew member (``get_signed_in``): a read of
its own, about a tenth of a check-in's CPU. A store on a SQLite file keeps what it found for
each token, and the processes sharing the file (the server's workers, the delivery process,
``scc`` commands) share a stamp: eight bytes in a file beside the database
(``scc.db-signins``, 0600), mapped into memory, so reading it costs no system call. A write
that ends sessions or changes a crew account writes a new random stamp once it has
committed (``changed``); a kept sign-in is used only while the stamp is the one read before
the sign-in was read from the database, so after a sign-out, a deactivation or a role
change anywhere, the next request in every process reads the database again. A kept
sign-in is also read again after ``KEEP_S`` seconds, whatever the stamp says: a session
deleted by hand in the database (no stamp written) ends within that time. Only sign-ins
found are kept (a token not found is looked up every time), at most ``LIMIT`` of them.

A store on PostgreSQL, whose workers may run on several machines, keeps them too
(``ListenedSignIns``) while it listens for changes: the first sign-in it looks up opens a
connection of its own that LISTENs on ``scc_signins``; every write that ends sessions or
changes a crew account sends a NOTIFY once it has committed, and each listening process
forgets what it kept when the notice arrives (within a few milliseconds). It keeps sign-ins
only once a notice it sent itself has come back on that connection (behind a connection
pooler in transaction mode it never does, and every sign-in is read from the database,
with one warning in the log). While the connection is down nothing is kept; once it
listens again, it starts from nothing. It is checked with a query every ``PING_S``.
"""

from __future__ import annotations

import contextlib
import logging
import mmap
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..domain.models import CrewMember, Session, evolve

SignedIn = tuple[Session, CrewMember]

STAMP = 8
KEEP_S = 30.0
LIMIT = 4096
CHANNEL = "scc_signins"
PING_S = 5.0
WAIT_S = 0.2  # how long the listener waits for a notice before it looks at ``close``
CHECK, CHECK_S = "check:", 2.0  # a listener's own notice, and how long it waits for it

log = logging.getLogger("shipcaptaincrew.store")


class KeptSignIns:
    """The sign-ins one process keeps, each under the stamp read before it was read."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[bytes, float, SignedIn]] = {}
        self._lock = threading.Lock()

    def stamp(self) -> bytes | None:
        """Read before the database is: what a sign-in read after it is kept under; None
        when nothing can be kept now."""
        raise NotImplementedError

    def get(self, token_hash: str, stamp: bytes) -> SignedIn | None:
        kept = self._kept.get(token_hash)
        if kept is None or kept[0] != stamp or kept[1] < time.monotonic():
            return None
        return kept[2]

    def put(self, token_hash: str, stamp: bytes, found: SignedIn) -> None:
        with self._lock:
            if len(self._kept) >= LIMIT and token_hash not in self._kept:
                del self._kept[next(iter(self._kept))]  # the longest kept
            self._kept[token_hash] = (stamp, time.monotonic() + KEEP_S, found)

    def touched(self, token_hash: str, *, at: datetime, address: str) -> None:
        """A kept session's last use noted by this process (``touch_session``): bookkeeping
        no other process needs; each notes it for the sign-ins it keeps."""
        with self._lock:
            kept = self._kept.get(token_hash)
            if kept is not None:
                session, crew = kept[2]
                touched = evolve(session, last_used_at=at, address=address)
                self._kept[token_hash] = (kept[0], kept[1], (touched, crew))

    def changed(self) -> None:
        """After a write that ended sessions or changed a crew account has committed: every
        process's kept sign-ins are read again."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class SignInCache(KeptSignIns):
    """SQLite: the stamp is eight bytes in a file beside the database, shared by every
    process on it."""

    def __init__(self, path: str) -> None:
        super().__init__()
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < STAMP:
                os.ftruncate(fd, STAMP)
            self._stamp = mmap.mmap(fd, STAMP)
        finally:
            os.close(fd)

    def stamp(self) -> bytes:
        return self._stamp[:STAMP]

    def changed(self) -> None:
        with self._lock:
            self._kept.clear()
        self._stamp[:STAMP] = os.urandom(STAMP)

    def close(self) -> None:
        self._stamp.close()


class ListenedSignIns(KeptSignIns):
    """PostgreSQL: the stamp is this process's own, renewed whenever a notice on
    ``CHANNEL`` arrives; None (nothing kept) while not listening. ``connect`` opens the
    listening connection (autocommit). The first ``stamp`` starts listening, at once, then
    a thread waits for notices; it opens the connection again when it breaks (waiting
    longer each time, up to 30 s)."""

    def __init__(self, connect: Callable[[], Any]) -> None:
        super().__init__()
        self._connect = connect
        self._stamp: bytes | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()
        self._pid = 0  # the process listening (a forked child listens for itself)
        self._warned = False

    def stamp(self) -> bytes | None:
        if self._pid != os.getpid():
            self._start()
        return self._stamp

    def _start(self) -> None:
        with self._starting:
            if self._pid == os.getpid() or self._stop.is_set():
                return
            self._deaf()
            self._pid = os.getpid()
            conn = self._listening()
            self._thread = threading.Thread(
                target=self._run, args=(conn,), name="scc-signins", daemon=True
            )
            self._thread.start()

    def _listening(self) -> Any:
        """A connection listening on ``CHANNEL``, from which on sign-ins are kept; None
        when it cannot be opened, or when a notice it sends itself does not come back
        (as behind a connection pooler in transaction mode, which hands the session that
        listens to other clients)."""
        check = f"{CHECK}{os.urandom(8).hex()}"
        conn, why = None, ""
        try:
            conn = self._connect()
            conn.execute(f"LISTEN {CHANNEL}")
            conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, check))
            deadline, heard = time.monotonic() + CHECK_S, False
            while not heard and (left := deadline - time.monotonic()) > 0:
                heard = any(n.payload == check for n in conn.notifies(timeout=left, stop_after=1))
            if not heard:
                why = f"a notice on {CHANNEL} did not come back (a pooler in transaction mode?)"
        except Exception as err:  # any failure to connect: keep nothing, try again later
            why = f"the database does not answer ({type(err).__name__})"
        if why:
            self._warn(why)
            if conn is not None:
                with contextlib.suppress(Exception):
                    conn.close()
            return None
        self._renew()
        return conn

    def _warn(self, why: str) -> None:
        if not self._warned:
            self._warned = True
            log.warning("sign-ins are read from the database for every request: %s", why)

    def _run(self, conn: Any) -> None:
        wait = 0.5
        while not self._stop.is_set():
            if conn is None:
                if self._stop.wait(wait):
                    return
                wait = min(wait * 2, 30.0)
                conn = self._listening()
                continue
            wait = 0.5
            try:
                pinged = time.monotonic()
                while not self._stop.is_set():
                    for notice in conn.notifies(timeout=WAIT_S):
                        if not notice.payload.startswith(CHECK):  # another's check
                            self.changed()
                    if time.monotonic() - pinged >= PING_S:
                        conn.execute("SELECT 1")
                        pinged = time.monotonic()
            except Exception:  # the connection broke: keep nothing until listening again
                log.warning("the sign-ins' listening connection broke; listening again")
            self._deaf()
            with contextlib.suppress(Exception):
                conn.close()
            conn = None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()

    def _renew(self) -> None:
        with self._lock:
            self._kept.clear()
            self._stamp = os.urandom(STAMP)

    def _deaf(self) -> None:
        with self._lock:
            self._kept.clear()
            self._stamp = None

    def changed(self) -> None:
        with self._lock:
            self._kept.clear()
            if self._stamp is not None:
                self._stamp = os.urandom(STAMP)

    @property
    def listening(self) -> bool:
        return self._stamp is not None

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(WAIT_S * 5)
