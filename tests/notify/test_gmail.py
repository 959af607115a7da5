"""The Gmail API sender against a local HTTP server standing in for Google's token
endpoint and ``users.messages.send``; the server checks what arrives."""

from __future__ import annotations

import base64
import json
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from shipcaptaincrew.bootstrap import build_sender
from shipcaptaincrew.notify.base import SendError
from shipcaptaincrew.notify.gmail import GmailSender
from shipcaptaincrew.notify.smtp import SmtpSender
from tests.conftest import make_settings
from tests.mailserver import SmtpServer
from tests.notify.samples import composed

ACCOUNT = "mailer@harbour-project.iam.gserviceaccount.com"
SENDER = "boats@harbour.example"


def _b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@dataclass
class FakeGoogle:
    """Token endpoint + Gmail send endpoint, recording and checking each request."""

    public_key: rsa.RSAPublicKey
    token_calls: list[dict[str, Any]] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    send_status: int = 200
    token_status: int = 200
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def verify_jwt(self, jwt: str) -> dict[str, Any]:
        header, payload, signature = jwt.split(".")
        self.public_key.verify(
            _b64url_decode(signature),
            f"{header}.{payload}".encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )  # raises InvalidSignature on a forged token
        assert json.loads(_b64url_decode(header))["alg"] == "RS256"
        return json.loads(_b64url_decode(payload))

    def start(self) -> FakeGoogle:
        google = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.path == "/token":
                    form = dict(urllib.parse.parse_qsl(body.decode()))
                    claims = google.verify_jwt(form["assertion"])
                    google.token_calls.append({"form": form, "claims": claims})
                    if google.token_status != 200:
                        self._reply(
                            google.token_status,
                            {"error": "unauthorized_client", "error_description": "no DWD"},
                        )
                        return
                    self._reply(200, {"access_token": "ya29.local-token", "expires_in": 3600})
                elif self.path == "/gmail/v1/users/me/messages/send":
                    google.sent.append(
                        {"auth": self.headers.get("Authorization"), "body": json.loads(body)}
                    )
                    if google.send_status != 200:
                        self._reply(
                            google.send_status,
                            {"error": {"code": google.send_status, "message": "Mail refused"}},
                        )
                        return
                    self._reply(200, {"id": "18c0ffee", "labelIds": ["SENT"]})
                else:
                    self._reply(404, {"error": "no such path"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A short poll: shutdown() waits for it (0.5 s by default, per test).
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture(scope="module")
def key() -> tuple[dict[str, Any], rsa.RSAPublicKey]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "harbour-project",
        "private_key_id": "k1",
        "private_key": pem,
        "client_email": ACCOUNT,
        "client_id": "1234567890",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    return info, private.public_key()


@pytest.fixture
def google(key) -> Iterator[FakeGoogle]:
    fake = FakeGoogle(key[1]).start()
    yield fake
    fake.stop()


def _sender(key, google: FakeGoogle) -> GmailSender:
    return GmailSender(
        key=key[0], sender=SENDER, api_url=google.url, token_url=f"{google.url}/token"
    )


def _message() -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = "Payment received: receipt 7 for Sunset Cruise"
    msg["From"] = f"Harbour Co <{SENDER}>"
    msg["To"] = "Zoë O'Brien <zoe@example.com>"
    msg["Message-ID"] = "<msg_7@harbour.example>"
    msg.set_content("Thank you, Zoë")
    msg.add_alternative("<p>Thank you, Zo&euml;</p>", subtype="html")
    msg.add_attachment(b"%PDF-1.3 fake", maintype="application", subtype="pdf", filename="r.pdf")
    return msg


def test_send_uses_a_token_from_a_signed_jwt_for_the_account(key, google: FakeGoogle) -> None:
    sender = _sender(key, google)
    sender.send(_message())
    sender.send(_message())
    [call] = google.token_calls  # the token is reused until it expires
    assert call["form"]["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    claims = call["claims"]
    assert claims["iss"] == ACCOUNT
    assert claims["sub"] == SENDER
    # google-auth always addresses the JWT to Google's token endpoint, wherever it posts it.
    assert claims["aud"] == "https://oauth2.googleapis.com/token"
    assert claims["scope"] == "https://www.googleapis.com/auth/gmail.send"
    assert [s["auth"] for s in google.sent] == ["Bearer ya29.local-token"] * 2


def test_raw_message_is_the_same_mime_the_smtp_sender_sends(key, google: FakeGoogle) -> None:
    msg = composed()
    smtp = SmtpServer().start()
    try:
        SmtpSender(host="127.0.0.1", port=smtp.port, security="none", timeout=5).send(msg)
        [via_smtp] = smtp.wait_for(1)
    finally:
        smtp.stop()
    _sender(key, google).send(msg)
    raw = base64.urlsafe_b64decode(google.sent[0]["body"]["raw"])
    assert raw == via_smtp.raw.replace(b"\r\n", b"\n")
    assert raw == composed().as_bytes()  # and both are what the composer makes


def test_api_refusal_is_reported_without_credentials(key, google: FakeGoogle) -> None:
    google.send_status = 403
    with pytest.raises(SendError) as caught:
        _sender(key, google).send(_message())
    assert str(caught.value) == "Gmail API answered 403: Mail refused"
    assert caught.value.permanent is False


def test_token_refusal_is_reported_without_credentials(key, google: FakeGoogle) -> None:
    google.token_status = 401
    with pytest.raises(SendError) as caught:
        _sender(key, google).send(_message())
    text = str(caught.value)
    assert text == f"Gmail token for {ACCOUNT} as {SENDER}: unauthorized_client no DWD"
    assert "PRIVATE KEY" not in text
    assert google.sent == []


def test_build_sender_reads_the_gmail_settings(key, google: FakeGoogle, tmp_path) -> None:
    settings = make_settings(
        tmp_path,
        SCC_MAIL_BACKEND="gmail",
        SCC_MAIL_FROM=f"Harbour Co <{SENDER}>",
        SCC_GMAIL_SERVICE_ACCOUNT_JSON=base64.b64encode(json.dumps(key[0]).encode()).decode(),
        SCC_GMAIL_API_URL=google.url,
        SCC_GMAIL_TOKEN_URL=f"{google.url}/token",
    )
    assert "PRIVATE" not in repr(settings)
    sender = build_sender(settings)
    sender.send(_message())
    assert google.token_calls[0]["claims"]["sub"] == SENDER
    assert len(google.sent) == 1
