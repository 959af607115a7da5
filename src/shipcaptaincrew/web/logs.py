"""Log lines: text or JSON (SCC_LOG_FORMAT), each carrying the id of the request it belongs to.

Patron names and email addresses are never logged: a line names records by their ids.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

request_id: ContextVar[str] = ContextVar("scc_request_id", default="")

# The fields a request line carries (``log.info(..., extra=...)``), in JSON as they are.
REQUEST_FIELDS = ("method", "path", "status", "duration_ms")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class _RequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id and any
    request fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for name in REQUEST_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is when a line is logged (test runners swap it)."""

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        return None


def configure(log_format: str) -> None:
    """Send the app's loggers (``shipcaptaincrew.*``) to stderr at INFO in ``log_format``
    (text or json). Calling it again replaces the handler it added before."""
    root = logging.getLogger("shipcaptaincrew")
    for handler in [h for h in root.handlers if getattr(h, "scc_handler", False)]:
        root.removeHandler(handler)
    handler = _Stderr()
    handler.scc_handler = True  # type: ignore[attr-defined]
    handler.addFilter(_RequestId())
    handler.setFormatter(
        JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = False
