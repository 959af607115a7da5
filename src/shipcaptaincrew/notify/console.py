"""The console sender: each message becomes a ``.eml`` file (0600, in a 0700 folder), plus
one log line naming the message id and file only: never the patron's address or name."""

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

    def send(self, message: EmailMessage) -> None:
        local = str(message.get("Message-ID", "")).strip("<> ").partition("@")[0]
        ident = re.sub(r"[^A-Za-z0-9_.-]", "", local)[:80]
        path = self.folder / f"{ident or 'message'}.eml"
        try:
            if not self.folder.is_dir():
                self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
                self.folder.chmod(0o700)
            tmp = path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(message.as_bytes())
            os.replace(tmp, path)
        except OSError as err:
            raise SendError(f"Could not write {path}: {err.strerror}") from None
        log.info("mail %s written to %s", message.get("Message-ID", "").strip(), path)

    def close(self) -> None:
        return None
