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
A store on PostgreSQL (whose workers may run on several machines) keeps none.
"""

from __future__ import annotations

import mmap
import os
import threading
import time
from datetime import datetime

from ..domain.models import CrewMember, Session, evolve

SignedIn = tuple[Session, CrewMember]

STAMP = 8
KEEP_S = 30.0
LIMIT = 4096


class SignInCache:
    def __init__(self, path: str) -> None:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < STAMP:
                os.ftruncate(fd, STAMP)
            self._stamp = mmap.mmap(fd, STAMP)
        finally:
            os.close(fd)
        self._kept: dict[str, tuple[bytes, float, SignedIn]] = {}
        self._lock = threading.Lock()

    def stamp(self) -> bytes:
        """Read before the database is: what a sign-in read after it is kept under."""
        return self._stamp[:STAMP]

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
        with self._lock:
            self._kept.clear()
        self._stamp[:STAMP] = os.urandom(STAMP)

    def close(self) -> None:
        self._stamp.close()
