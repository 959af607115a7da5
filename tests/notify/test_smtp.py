"""The SMTP sender against a real SMTP server (aiosmtpd) on a free port."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from shipcaptaincrew.notify.base import SendError
from shipcaptaincrew.notify.smtp import SmtpSender
from tests.mailserver import SmtpServer, self_signed_cert
from tests.server import free_port

PASSWORD = "app-pass-4f7d9q2z"  # noqa: S105


def _message(to: str = "zoe@example.com") -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = "Hello"
    msg["From"] = "Harbour Co <boats@example.org>"
    msg["To"] = to
    msg["Message-ID"] = "<msg_1@example.org>"
    msg.set_content("Ahoy")
    return msg


@pytest.fixture
def server():
    s = SmtpServer().start()
    yield s
    s.stop()


def test_plain_smtp_delivers_the_exact_message(server: SmtpServer) -> None:
    sender = SmtpSender(host="127.0.0.1", port=server.port, security="none", timeout=5)
    msg = _message()
    sender.send(msg)
    sender.send(_message("ben@example.com"))  # same kept connection
    sender.close()
    first, second = server.wait_for(2)
    assert (first.mail_from, first.rcpt_tos) == ("boats@example.org", ["zoe@example.com"])
    assert second.rcpt_tos == ["ben@example.com"]
    assert first.raw.replace(b"\r\n", b"\n") == msg.as_bytes()


def test_starttls_with_login(tmp_path: Path) -> None:
    certfile, keyfile = self_signed_cert(tmp_path)
    server = SmtpServer(username="boats@example.org", password=PASSWORD, cert=(certfile, keyfile))
    server.start()
    try:
        sender = SmtpSender(
            host="127.0.0.1",
            port=server.port,
            username="boats@example.org",
            password=PASSWORD,
            security="starttls",
            timeout=5,
            ca_file=str(certfile),
        )
        sender.send(_message())
        sender.close()
        [got] = server.wait_for(1)
        assert got.message["Subject"] == "Hello"
    finally:
        server.stop()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_wrong_password_error_never_shows_the_password() -> None:
    server = SmtpServer(username="boats@example.org", password="the-right-one").start()
    try:
        sender = SmtpSender(
            host="127.0.0.1",
            port=server.port,
            username="boats@example.org",
            password=PASSWORD,
            security="none",
            timeout=5,
        )
        with pytest.raises(SendError) as caught:
            sender.send(_message())
        text = str(caught.value)
        assert text.startswith(f"SMTP 127.0.0.1:{server.port}: SMTPAuthenticationError: 535")
        assert PASSWORD not in text
        assert "boats@example.org" not in text
        assert caught.value.permanent is False
        assert server.received == []
    finally:
        server.stop()


def test_server_down_is_a_temporary_error() -> None:
    port = free_port()
    sender = SmtpSender(host="127.0.0.1", port=port, security="none", timeout=5)
    with pytest.raises(SendError) as caught:
        sender.send(_message())
    assert str(caught.value).startswith(f"SMTP 127.0.0.1:{port}: ConnectionRefusedError")
    assert caught.value.permanent is False


def test_unknown_security_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="starttls, ssl or none"):
        SmtpSender(host="h", port=1, security="tls")
