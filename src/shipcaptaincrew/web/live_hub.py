"""Live sync on the local server: Server-Sent Events fed from the store.

One polling task per event with listeners, per server process, reads the event's change
marker (services.live.marker: one small read) twice a second and hands a new one to every
listener of that event. Several worker processes each poll for their own listeners, so a
change made through any of them (or any other server on the same database) is seen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool

from ..services import live
from ..services.context import Context

log = logging.getLogger("shipcaptaincrew.live")

HEARTBEAT_S = 15.0  # a comment line keeps proxies from closing a quiet stream
LIFETIME_S = 600.0  # a stream ends after this; the browser reconnects by itself


@dataclass
class _Topic:
    marker: str | None = None
    queues: set[asyncio.Queue[str]] = field(default_factory=set)
    task: asyncio.Task[None] | None = None


def _offer(queue: asyncio.Queue[str], marker: str) -> None:
    """Only the newest marker matters: replace one not yet taken."""
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(marker)


class LiveHub:
    def __init__(self, ctx: Context, interval: float = 0.5) -> None:
        self.ctx = ctx
        self.interval = interval
        self.topics: dict[str, _Topic] = {}

    async def _poll(self, event_id: str, topic: _Topic) -> None:
        while True:
            try:
                marker = await run_in_threadpool(live.marker, self.ctx, event_id=event_id)
            except Exception:  # the store is down for a moment: try again next second
                log.warning("live: could not read the change marker of %s", event_id)
            else:
                if marker != topic.marker:
                    topic.marker = marker
                    for queue in topic.queues:
                        _offer(queue, marker)
            await asyncio.sleep(self.interval)

    async def markers(self, event_id: str) -> AsyncIterator[str | None]:
        """The event's change markers as they change (the current one first); None now and
        then when nothing changed, for a heartbeat. Ends after LIFETIME_S."""
        queue: asyncio.Queue[str] = asyncio.Queue(maxsize=1)
        topic = self.topics.setdefault(event_id, _Topic())
        topic.queues.add(queue)
        if topic.task is None:
            topic.task = asyncio.create_task(self._poll(event_id, topic))
        elif topic.marker is not None:
            _offer(queue, topic.marker)
        loop = asyncio.get_running_loop()
        ends = loop.time() + LIFETIME_S
        try:
            while (left := ends - loop.time()) > 0:
                try:
                    yield await asyncio.wait_for(queue.get(), timeout=min(HEARTBEAT_S, left))
                except TimeoutError:
                    yield None
        finally:
            topic.queues.discard(queue)
            if not topic.queues and self.topics.get(event_id) is topic:
                del self.topics[event_id]
                if topic.task is not None:
                    topic.task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await topic.task
