"""Factories for waiver tests: real PNG bytes, template and signature records."""

from __future__ import annotations

import base64
import struct
import zlib
from datetime import timedelta

from shipcaptaincrew.domain.models import Booking, new_id
from shipcaptaincrew.domain.waivers import WaiverSignature, WaiverTemplate, text_sha256
from tests.factories import T0

WAIVER_TEXT = "I take part at my own risk.\nI will follow the crew's instructions."


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width: int = 60, height: int = 20, ink: bool = True) -> bytes:
    """A real greyscale PNG: white, with a black diagonal line when ``ink``."""
    rows = []
    for y in range(height):
        row = bytearray(b"\xff" * width)
        if ink:
            row[min(width - 1, y * width // height)] = 0
        rows.append(b"\x00" + bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + _chunk(b"IEND", b"")
    )


def png_data_url(data: bytes | None = None) -> str:
    return "data:image/png;base64," + base64.b64encode(data or png()).decode()


def template_record(
    template_id: str | None = None, version: int = 1, text: str = WAIVER_TEXT, name: str = "Std"
) -> WaiverTemplate:
    return WaiverTemplate(
        id=template_id or new_id("wvt"),
        name=name,
        version=version,
        text=text,
        sha256=text_sha256(text),
        created_at=T0 + timedelta(minutes=version),
        created_by="crw_1",
    )


def signature_record(booking: Booking, template: WaiverTemplate) -> WaiverSignature:
    return WaiverSignature(
        id=new_id("wvs"),
        event_id=booking.event_id,
        patron_id=booking.patron_id,
        template_id=template.id,
        template_version=template.version,
        template_sha256=template.sha256,
        signer_name="Pat Doe",
        signature_png=png(),
        signed_at=T0,
        ip="203.0.113.9",
        user_agent="TestBrowser/1.0",
        guardian_name="Sam Doe",
        guardian_relationship="Parent",
    )
