"""Where a request's use case runs: on the event loop when the store answers from this
machine (SQLite: tens of microseconds a read, and a write waits only for the file's lock and
its fsync; PostgreSQL over the loopback or a unix socket: tens of microseconds a statement),
in the thread pool when it waits on a network (PostgreSQL on another machine, DynamoDB).

FastAPI runs a plain ``def`` endpoint or dependency in the thread pool, and a plain ``def``
endpoint's response validation there again: each hop to a thread and back costs more CPU
than a check-in's reads, and threads taking turns at the interpreter lock cost more still
(16 check-ins at once on one SQLite worker: 2.0 ms of CPU each with three hops on four
threads, 1.4 on the loop; on PostgreSQL on the same machine, two workers: 2.98 ms with the
sign-in and the use case each in the pool, 2.45 on the loop). The hot paths (signing in, a
check-in, a payment, the roster kept and its changes) are ``async`` and hand their use case
to ``store_work``. Only a use case whose one I/O is the store, and that takes a millisecond
or two, may be handed over this way: one that sends an email or asks a payment provider
would hold every request of the worker while it waits, and one that computes for long (a
roster made afresh) holds them while it computes."""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool

from ..services.context import Context

P = ParamSpec("P")
T = TypeVar("T")


async def store_work(ctx: Context, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args, **kwargs)``, on the event loop when ``ctx``'s store is on this machine
    (``Store.local``), else in the thread pool."""
    store = ctx.store
    if not store.local:
        return await run_in_threadpool(fn, *args, **kwargs)
    try:
        with store.grouped():
            return fn(*args, **kwargs)
    finally:
        # Answer only once what this work wrote, or read of other requests' writes, has
        # committed: the group's commit runs as soon as the requests running now have run.
        pending = store.pending_commit()
        if pending is not None and (error := await pending) is not None:
            raise error


async def store_write(ctx: Context, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """``store_work`` for a use case that writes (a check-in, a payment): on the event loop,
    the transaction its writes join is opened first (``Store.ready_to_write``), so that
    while it waits for the database's write lock the loop goes on reading requests, which
    join the same transaction and commit with it."""
    if ctx.store.local:
        await ctx.store.ready_to_write()
    return await store_work(ctx, fn, *args, **kwargs)
