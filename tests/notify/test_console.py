"""The console sender: private .eml files and a log line without the patron in it."""

from __future__ import annotations

import json
import os
import stat
from email.message import EmailMessage

from shipcaptaincrew.notify.console import ConsoleSender
from shipcaptaincrew.web.logs import configure


def _message() -> EmailMessage:
    msg = EmailMessage()
    msg["To"] = "Zoë O'Brien <zoe.obrien@example.com>"
    msg["From"] = "Harbour Co <boats@harbour.example>"
    msg["Subject"] = "Payment received: receipt 7 for Sunset Cruise"
    msg["Message-ID"] = "<out_123abc@harbour.example>"
    msg.set_content("Hello Zoë")
    return msg


def test_eml_is_private_and_the_log_names_the_message_only(tmp_path, capsys) -> None:
    configure("json")
    old = os.umask(0o000)  # the most permissive umask: the modes must not depend on it
    try:
        ConsoleSender(tmp_path / "var" / "outbox").send(_message())
    finally:
        os.umask(old)
    folder = tmp_path / "var" / "outbox"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert [p.name for p in folder.iterdir()] == ["out_123abc.eml"]
    assert stat.S_IMODE((folder / "out_123abc.eml").stat().st_mode) == 0o600
    [line] = capsys.readouterr().err.splitlines()
    record = json.loads(line)
    assert record["message"] == (
        f"mail <out_123abc@harbour.example> written to {folder / 'out_123abc.eml'}"
    )
    assert (record["logger"], record["level"], record["request_id"]) == (
        "shipcaptaincrew.mail",
        "INFO",
        "-",
    )
    assert "zoe" not in line.lower() and "Brien" not in line and "Payment" not in line
