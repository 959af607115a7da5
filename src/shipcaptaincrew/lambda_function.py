"""AWS Lambda entry point: ``shipcaptaincrew.lambda_function.lambda_handler``.

The FastAPI app from ``web.app.create_app`` is built once per cold start from the
environment and adapted with Mangum for Function URL events (payload format 2.0: cookies
arrive as ``cookies`` and Set-Cookie leaves as ``cookies``; bodies that are not text, such
as receipt PDFs, leave base64-encoded with ``isBase64Encoded``). A scheduled EventBridge
event delivers due outbox messages instead of serving HTTP.

Nothing heavy is imported at module import: the web app, the store (botocore) and the PDF
renderer load on the first event that needs them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]

# Responses whose content type starts with one of these are returned as text; everything
# else (PDF, images, fonts) is base64-encoded for the Function URL.
TEXT_MIME_TYPES = [
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "application/vnd.oai.openapi",
    "image/svg+xml",
]

_handler: Handler | None = None


def make_handler(app: Any) -> Handler:
    """A Function URL handler for an ASGI ``app`` (used by ``lambda_handler`` and tests)."""
    from mangum import Mangum

    return Mangum(app, lifespan="off", text_mime_types=TEXT_MIME_TYPES)


def is_schedule(event: dict[str, Any]) -> bool:
    return event.get("source") == "aws.events" and event.get("detail-type") == "Scheduled Event"


def _http_handler() -> Handler:
    global _handler
    if _handler is None:
        import dataclasses

        from .config import Settings
        from .web.app import create_app, settle_heap

        # Lambda cannot hold a stream open: phones poll the roster's changes instead.
        settings = dataclasses.replace(Settings.from_env(), live_stream=False)
        _handler = make_handler(create_app(settings))
        settle_heap(collect=False)
    return _handler


def deliver_outbox() -> dict[str, Any]:
    """Queue the reminders due and deliver due outbox messages (the scheduled invocation);
    returns the counts."""
    import dataclasses

    from .bootstrap import build_providers, build_sender, build_store
    from .config import Settings
    from .services.context import Context
    from .services.reminders import sweep

    settings = Settings.from_env()
    store = build_store(settings)
    try:
        # The providers: a settlement plan the sweep finishes may refund through them.
        ctx = Context(store=store, settings=settings, providers=build_providers(settings))
        reminders, report = sweep(ctx, build_sender(settings))
    finally:
        store.close()
    return {
        "delivered": report.sent,
        **dataclasses.asdict(report),
        "reminders_queued": reminders.queued,
    }


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if is_schedule(event):
        return deliver_outbox()
    return _http_handler()(event, context)
