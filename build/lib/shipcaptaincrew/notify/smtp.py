"""The SMTP sender: Gmail's SMTP with an app password, or any SMTP server.

One connection is kept open between sends (the outbox worker sends in batches) and
opened again when the server has dropped it. Error texts are scrubbed of the
username and password before they leave this module.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from ..domain.outbox import short_error
from .base import SendError


class SmtpSender:
    name = "smtp"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        username: str = "",
        password: str = "",
        security: str = "starttls",
        timeout: float = 20,
        ca_file: str = "",
    ) -> None:
        if security not in ("starttls", "ssl", "none"):
            raise ValueError("security must be starttls, ssl or none")
        self.host, self.port, self.security, self.timeout = host, port, security, timeout
        self._username = username
        self._password = password
        self._ca_file = ca_file
        self._conn: smtplib.SMTP | None = None

    def _tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self._ca_file or None)

    def _connect(self) -> smtplib.SMTP:
        conn: smtplib.SMTP
        if self.security == "ssl":
            conn = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._tls())
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            conn.ehlo()
            if self.security == "starttls":
                conn.starttls(context=self._tls())
                conn.ehlo()
            if self._username:
                conn.login(self._username, self._password)
        except BaseException:
            conn.close()
            raise
        return conn

    def _error(self, err: BaseException) -> str:
        if isinstance(err, smtplib.SMTPResponseException):
            text = (
                err.smtp_error.decode("utf-8", "replace")
                if isinstance(err.smtp_error, bytes)
                else str(err.smtp_error)
            )
            detail = f"{err.smtp_code} {text}"
        else:
            detail = str(err) or type(err).__name__
        kind = type(err).__name__
        where = f"{self.host}:{self.port}"
        return short_error(f"SMTP {where}: {kind}: {detail}", self._password, self._username)

    def send(self, message: EmailMessage) -> None:
        for attempt in (1, 2):
            try:
                if self._conn is None:
                    self._conn = self._connect()
                refused = self._conn.send_message(message)
            except smtplib.SMTPServerDisconnected as err:
                self.close()
                if attempt == 2:
                    raise SendError(self._error(err)) from None
                continue  # a kept connection timed out on the server: open a new one
            except smtplib.SMTPRecipientsRefused as err:
                codes = [code for code, _ in err.recipients.values()]
                detail = "; ".join(
                    f"{code} {msg.decode('utf-8', 'replace')}"
                    for code, msg in err.recipients.values()
                )
                raise SendError(
                    short_error(f"SMTP {self.host}:{self.port}: recipient refused: {detail}"),
                    permanent=all(500 <= c < 600 for c in codes),
                ) from None
            except (TimeoutError, smtplib.SMTPException, OSError, ssl.SSLError) as err:
                self.close()
                raise SendError(self._error(err)) from None
            if refused:
                raise SendError(short_error(f"SMTP recipients refused: {sorted(refused)}"))
            return

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()
