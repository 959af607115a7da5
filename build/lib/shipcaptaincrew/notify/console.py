"""The console sender: each message becomes a ``.eml`` file, plus one log line."""

from __future__ import annotations

import logging
import os
import re
from email.message import EmailMessage
from pathlib import Path

from .base import SendError

log = logging.getLogger("shipcaptaincrew.mail")


class ConsoleSender:
    name = "console"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        if not log.handlers:  # the dev backend: make its one line per message visible
            log.addHandler(logging.StreamHandler())
            log.setLevel(logging.INFO)
            log.propagate = False

    def send(self, message: EmailMessage) -> None:
        local = str(message.get("Message-ID", "")).strip("<> ").partition("@")[0]
        ident = re.sub(r"[^A-Za-z0-9_.-]", "", local)[:80]
        path = self.folder / f"{ident or 'message'}.eml"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(message.as_bytes())
            os.replace(tmp, path)
        except OSError as err:
            raise SendError(f"Could not write {path}: {err.strerror}") from None
        log.info("mail to %s: %s -> %s", message["To"], message["Subject"], path)

    def close(self) -> None:
        return None
