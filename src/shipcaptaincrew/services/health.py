"""Is the app ready to serve: does its store answer?"""

from __future__ import annotations

import logging

from .context import Context

log = logging.getLogger("shipcaptaincrew.health")

PROBE_ID = "crw_ready_check"  # no record has this id: the lookup reads and finds nothing


def check_ready_to_serve(ctx: Context) -> bool:
    """Whether the store answers a real read (errors propagate, for the operator to see)
    and its schema is this version's. Changes nothing."""
    ctx.store.get_crew(PROBE_ID)
    return ctx.store.schema_is_current()


def store_answers(ctx: Context) -> bool:
    """True when the store answers a real read (a crew member looked up by id); False,
    with one log line naming the error type, when it fails. Changes nothing."""
    try:
        ctx.store.get_crew(PROBE_ID)
    except Exception as err:  # any failure means not ready: the caller answers 503
        log.warning("store not ready: %s", type(err).__name__)
        return False
    return True
