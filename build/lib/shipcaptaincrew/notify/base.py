"""The Sender protocol: hand one finished MIME message to a mail system."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol


class SendError(Exception):
    """Delivery failed. ``permanent`` when retrying cannot help (the recipient was refused).

    The message is stored as the outbox's ``last_error``: senders make sure it never
    carries a credential.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Sender(Protocol):
    name: str

    def send(self, message: EmailMessage) -> None:
        """Deliver ``message`` to its To address, or raise SendError."""

    def close(self) -> None:
        """Release connections kept between sends (a no-op for most senders)."""
