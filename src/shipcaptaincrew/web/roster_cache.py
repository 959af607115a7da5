"""Roster answers kept while their event does not change.

A 500-patron roster answer is about 290 KB of JSON made from four reads and 500 validated
bookings; phones ask for the same one again and again. This process keeps the newest
answer of a few events, each under its event's change marker (``services/live.py``: every
change to a roster writes an audit entry for its event), so an unchanged roster costs the
marker read and the credit read. The credit part is read and rendered on every request:
credit runs out with time and is issued away from the event, and neither moves its marker.

An answer is answered as it is only once the change that made its marker is ``SETTLE``
old. PostgreSQL numbers audit entries as they are written and DynamoDB orders them by their
time, so a write that commits just after a later one would not move the marker; a write
does not stay open that long. So each answer also says up to which entry it surely holds
every change (``since``: the newest entry that was ``SETTLE`` old when it was read), and
on a store on this machine a roster changed since is brought up to date from it
(``routes/roster.py``): the bookings changed after ``since`` are read again and only their
parts of the answer made again, as long as they are few and none changed the event itself.
A kept answer is the same bytes the roster would be made into again (the tests compare
them), and every process keeps its own: the marker is read from the store, so an answer
made by one server is never shown after another server's change.
"""

from __future__ import annotations

import asyncio
import functools
import struct
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from pydantic import TypeAdapter

from ..domain.models import Event, RosterCounts
from ..services.views import BookingView

T = TypeVar("T")

SETTLE = timedelta(seconds=10)
# The app's GZip layer: its level, and the smallest answer it compresses. zlib's fastest
# level: a 500-patron roster (287 KB) in 1.3 ms of CPU to 28.0 KB, where level 6 took 2.7 ms
# to 25.4 KB; a roster changed every few seconds is compressed again each time.
GZIP_LEVEL = 1
GZIP_MINIMUM = 1024
# An answer with its parts is gzipped in pieces: its bookings GZIP_GROUP at a time, each
# piece compressed on its own (a deflate stream flushed to a byte boundary), so a piece
# whose bookings did not change is compressed once for every answer brought up to date
# from it. A 500-patron roster: 29.1 KB instead of 28.0, and after a check-in 0.3 ms of
# CPU instead of 1.3 (one piece, the event and its counts, and the checksum of the whole).
GZIP_GROUP = 64
_GZIP_HEAD = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name or time; OS unknown
_DEFLATE_END = b"\x03\x00"  # an empty final block
_CREDIT = TypeAdapter(dict[str, int])
_EMPTY_CREDIT_END = b'"credit":{}}'


@dataclass(frozen=True)
class Parts:
    """What an answer was made from, to make it again when some bookings change: the event,
    its counts, the bookings in the answer's order, each booking's part of the answer, and
    where each patron is."""

    event: Event
    counts: RosterCounts
    bookings: list[BookingView]
    entries: list[bytes]
    at: dict[str, int]

    @classmethod
    def of(
        cls, event: Event, counts: RosterCounts, bookings: list[BookingView], entries: list[bytes]
    ) -> Parts:
        at = {v.booking.patron_id: i for i, v in enumerate(bookings)}
        return cls(event, counts, bookings, entries, at)


@dataclass
class Kept:
    """One event's answer without its credit: ``head`` ends where the credit value goes.
    It holds every change up to the entry ``since`` (the marker, once that is settled)."""

    marker: str
    currency: str
    patron_ids: list[str]
    head: bytes
    since: str | None = None  # None: not known to hold any change for sure
    parts: Parts | None = field(default=None, repr=False)
    # The entries after ``since`` it holds too (each seen committed before its booking was
    # read): a change committed late, under an older marker, is the one not among them.
    seen: frozenset[str] = frozenset()
    # The credit value of the last answer made from this one, and that answer gzipped.
    _gzipped: tuple[bytes, bytes] | None = field(default=None, repr=False)
    # The compressed pieces of its bookings' groups (by their parts), and of the answer's
    # it was brought up to date from: those are used again where a group is unchanged.
    pieces: dict[tuple[bytes, ...], bytes] = field(default_factory=dict, repr=False)

    @classmethod
    def of(
        cls,
        answer: bytes,
        *,
        marker: str,
        currency: str,
        patron_ids: list[str],
        since: str | None = None,
        parts: Parts | None = None,
        seen: frozenset[str] = frozenset(),
        pieces: dict[tuple[bytes, ...], bytes] | None = None,
    ) -> Kept:
        """From an answer made with no credit (it ends with ``"credit":{}}``); ``pieces``:
        the compressed groups of the answer this one was brought up to date from."""
        if not answer.endswith(_EMPTY_CREDIT_END):
            raise ValueError("a roster answer to keep ends with its empty credit")
        head = answer[: -len(b"{}}")]
        return cls(marker, currency, patron_ids, head, since, parts, seen, None, pieces or {})

    @property
    def settled(self) -> bool:
        """It holds every change up to its marker: answered as it is while that is the
        event's marker."""
        return self.since == self.marker

    def answer(self, credit: dict[str, int]) -> bytes:
        return self.head + _CREDIT.dump_json(credit) + b"}"

    def gzipped(self, credit: dict[str, int]) -> bytes:
        """The answer with ``credit``, gzipped (kept for the next request with the same)."""
        value = _CREDIT.dump_json(credit)
        last = self._gzipped
        if last is not None and last[0] == value:
            return last[1]
        end = value + b"}"
        body = self._gzip_in_pieces(end) if self.parts is not None else None
        if body is None:
            compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            body = compressor.compress(self.head + end) + compressor.flush()
        self._gzipped = (value, body)
        return body

    def _gzip_in_pieces(self, end: bytes) -> bytes | None:
        """The answer ending in ``end`` as one gzip member of pieces (GZIP_GROUP), reusing
        the compressed groups it has; None when its head is not its parts' bookings."""
        assert self.parts is not None
        entries = self.parts.entries
        bookings = b",".join(entries)
        at = self.head.find(b'"roster":[') + len(b'"roster":[')
        if self.head[at : at + len(bookings)] != bookings:
            return None
        used: dict[tuple[bytes, ...], bytes] = {}
        out = [_GZIP_HEAD, _deflate(self.head[:at])]
        for start in range(0, len(entries), GZIP_GROUP):
            group = tuple(entries[start : start + GZIP_GROUP])
            piece = self.pieces.get(group)
            if piece is None:
                piece = _deflate(b",".join(group) + (b"," * (start + GZIP_GROUP < len(entries))))
            out.append(piece)
            used[group] = piece
        self.pieces = used
        rest = self.head[at + len(bookings) :] + end
        crc = zlib.crc32(rest, zlib.crc32(self.head[: at + len(bookings)]))
        size = (len(self.head) + len(end)) & 0xFFFFFFFF
        out += [_deflate(rest), _DEFLATE_END, struct.pack("<II", crc, size)]
        return b"".join(out)


def _deflate(data: bytes) -> bytes:
    """``data`` as deflate blocks, none final, ending on a byte boundary: pieces made so
    follow one another in one stream."""
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


class RosterCache:
    """The kept answers of the ``events`` most recently used events, one per event
    (``SCC_ROSTER_CACHE_EVENTS``; a 500-patron answer is about 320 KB with its gzip, and
    1.2 MB more with its parts on a store on this machine)."""

    def __init__(self, events: int) -> None:
        self.events = events
        self._kept: OrderedDict[str, Kept] = OrderedDict()
        self._lock = threading.Lock()
        # The answers being made now, by event and marker (``made_once``).
        self._making: dict[tuple[str, str], asyncio.Task[Any]] = {}

    async def made_once(
        self, event_id: str, marker: str, make: Callable[[], Coroutine[Any, Any, T]]
    ) -> T:
        """``make()``, once for the requests of this event loop that ask for the event's
        roster under ``marker`` while it is being made: phones loading a roster that
        nothing kept, at once (the first of the morning, or after a change too large to
        bring up to date), wait for the one being made, 10-20 ms of CPU for 500 patrons,
        instead of each making it again. It runs as a task of its own, so a request that
        goes away leaves it to the others; its error is theirs. A cache that keeps nothing
        (``events`` 0) makes it for each request."""
        if self.events <= 0:
            return await make()
        loop = asyncio.get_running_loop()
        key = (event_id, marker)
        making = self._making.get(key)
        if making is None or making.get_loop() is not loop:
            making = self._making[key] = loop.create_task(make())
            making.add_done_callback(functools.partial(self._made, key))
        return await asyncio.shield(making)  # type: ignore[no-any-return]

    def _made(self, key: tuple[str, str], task: asyncio.Task[Any]) -> None:
        if self._making.get(key) is task:
            del self._making[key]

    def get(self, event_id: str, marker: str) -> Kept | None:
        """The event's kept answer when it may be answered as it is under ``marker``."""
        with self._lock:
            kept = self._kept.get(event_id)
            if kept is None or kept.marker != marker or not kept.settled:
                return None
            self._kept.move_to_end(event_id)
            return kept

    def latest(self, event_id: str) -> Kept | None:
        """The event's kept answer whatever its marker: to bring up to date."""
        with self._lock:
            return self._kept.get(event_id)

    def keep(self, event_id: str, kept: Kept, *, changed_at: datetime, now: datetime) -> None:
        """Keep ``kept``: answered as it is when the change that made its marker (at
        ``changed_at``) is ``SETTLE`` old; until then only brought up to date from its
        ``since``, when it has one and its parts."""
        if now - changed_at >= SETTLE:
            kept.since, kept.seen = kept.marker, frozenset()
        elif kept.since is None or kept.parts is None:
            return
        with self._lock:
            self._kept[event_id] = kept
            self._kept.move_to_end(event_id)
            while len(self._kept) > self.events:
                self._kept.popitem(last=False)
