"""The Gmail API sender: ``users.messages.send`` as the sender address.

A Google service account with domain-wide delegation impersonates ``sender``
(google-auth signs a JWT with the account's key and trades it at the token URL
for an access token, refreshed before it expires). The raw message is the same
MIME bytes the SMTP sender would send.
"""

from __future__ import annotations

import base64
import json
import threading
from email.message import EmailMessage
from typing import Any

import google.auth.exceptions
import requests
from google.auth.transport.requests import AuthorizedSession
from google.oauth2 import service_account

from ..domain.outbox import short_error
from .base import SendError

SCOPES = ["https://www.googleapis.com/auth/gmail.send"]


def load_key(raw: str) -> dict[str, Any]:
    """The service account key from its JSON text (or that text base64-encoded)."""
    text = raw.strip()
    if not text.startswith("{"):
        try:
            text = base64.b64decode(text, validate=True).decode()
        except ValueError:
            raise ValueError("SCC_GMAIL_SERVICE_ACCOUNT_JSON is not JSON") from None
    try:
        info = json.loads(text)
    except ValueError:
        raise ValueError("SCC_GMAIL_SERVICE_ACCOUNT_JSON is not JSON") from None
    if not isinstance(info, dict) or info.get("type") != "service_account":
        raise ValueError("SCC_GMAIL_SERVICE_ACCOUNT_JSON is not a service account key")
    return info


class GmailSender:
    name = "gmail"

    def __init__(
        self,
        *,
        key: dict[str, Any],
        sender: str,
        api_url: str = "https://gmail.googleapis.com",
        token_url: str = "",
        timeout: float = 20,
    ) -> None:
        info = dict(key)
        if token_url:
            info["token_uri"] = token_url
        try:
            creds = service_account.Credentials.from_service_account_info(
                info, scopes=SCOPES, subject=sender
            )
        except (ValueError, KeyError):
            raise ValueError("SCC_GMAIL_SERVICE_ACCOUNT_JSON is not a usable key") from None
        self.sender = sender
        self.account = str(info.get("client_email", ""))
        self.url = f"{api_url.rstrip('/')}/gmail/v1/users/me/messages/send"
        self.timeout = timeout
        self._session = AuthorizedSession(creds)
        self._lock = threading.Lock()  # google-auth credentials refresh is not thread-safe

    def send(self, message: EmailMessage) -> None:
        raw = base64.urlsafe_b64encode(message.as_bytes()).decode("ascii")
        try:
            with self._lock:
                resp = self._session.post(self.url, json={"raw": raw}, timeout=self.timeout)
        except google.auth.exceptions.RefreshError as err:
            raise SendError(
                short_error(f"Gmail token for {self.account} as {self.sender}: {_reason(err)}")
            ) from None
        except requests.RequestException as err:
            raise SendError(short_error(f"Gmail API: {type(err).__name__}")) from None
        if resp.status_code == 200:
            return
        detail = _api_error(resp)
        raise SendError(
            short_error(f"Gmail API answered {resp.status_code}: {detail}"),
            permanent=resp.status_code == 400,
        )

    def close(self) -> None:
        return None


def _reason(err: google.auth.exceptions.RefreshError) -> str:
    """The OAuth error code and description, never the request that carried the JWT."""
    for arg in err.args:
        if isinstance(arg, dict):
            return " ".join(str(arg.get(k, "")) for k in ("error", "error_description")).strip()
    return type(err).__name__


def _api_error(resp: requests.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return resp.reason or ""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("message") or error.get("status") or "")
    return str(error or "")
