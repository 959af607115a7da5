"""E-waivers: versioned template text and the signature records that point at one version.

A signature is a legal record: it keeps the template id, version and the SHA-256 of the
exact text the signer was shown, the typed name, the drawn signature (a PNG), when, from
which IP address and browser, and the guardian who signed for a minor. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass
from datetime import datetime

from .errors import Invalid
from .text import clean_line

MAX_TEMPLATE_NAME = 200
MAX_TEMPLATE_TEXT = 50_000
MAX_SIGNER_NAME = 200
MAX_RELATIONSHIP = 100
MAX_USER_AGENT = 500
MAX_SIGNATURE_BYTES = 150_000
MAX_SIGNATURE_SIDE = 2000

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# bytes per pixel (times 8 bits) for each PNG colour type
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


@dataclass(frozen=True)
class WaiverTemplate:
    """One version of a template. ``id`` is shared by all versions of the same template;
    a version is never changed once stored (editing stores the next version)."""

    id: str
    name: str
    version: int
    text: str
    sha256: str
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class WaiverSignature:
    id: str
    event_id: str
    patron_id: str
    template_id: str
    template_version: int
    template_sha256: str
    signer_name: str
    signature_png: bytes
    signed_at: datetime
    ip: str
    user_agent: str
    guardian_name: str | None = None
    guardian_relationship: str | None = None
    seat: int | None = None  # the party's seat signed; None: the whole booking (before seats)

    @property
    def for_minor(self) -> bool:
        return self.guardian_name is not None


def normalize_text(text: str) -> str:
    """The text as stored and shown: line endings as ``\\n``, no outer blank space."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def text_sha256(text: str) -> str:
    """Hex SHA-256 of the UTF-8 bytes of exactly this text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_template(name: str, text: str) -> tuple[str, str]:
    """The cleaned name and text, or Invalid."""
    name, text = clean_line(name, "name", limit=MAX_TEMPLATE_NAME), normalize_text(text)
    if not text or len(text) > MAX_TEMPLATE_TEXT:
        raise Invalid(
            f"The waiver text must be 1 to {MAX_TEMPLATE_TEXT} characters.",
            {"length": len(text)},
        )
    return name, text


def check_person_name(value: str, field: str, limit: int = MAX_SIGNER_NAME) -> str:
    value = " ".join(clean_line(value, field, limit=10 * limit, required=False).split())
    if not value or len(value) > limit:
        raise Invalid(f"Please type a name of 1 to {limit} characters.", {"field": field})
    return value


def check_guardian(
    minor: bool, guardian_name: str, relationship: str
) -> tuple[str | None, str | None]:
    """A guardian name and relationship are required exactly when signing for a minor."""
    if not minor:
        return None, None
    name = check_person_name(guardian_name, "guardian_name")
    rel = check_person_name(relationship, "guardian_relationship", MAX_RELATIONSHIP)
    return name, rel


def check_signature_png(data: bytes) -> tuple[int, int]:
    """Check that ``data`` is a complete, non-interlaced PNG no larger than the limits
    whose image data decompresses to exactly the size its header promises. Returns
    (width, height); raises Invalid otherwise."""

    def bad(why: str) -> Invalid:
        return Invalid(f"The signature image is not usable: {why}.", {"field": "signature"})

    if not data:
        raise bad("it is empty; please sign in the box")
    if len(data) > MAX_SIGNATURE_BYTES:
        raise bad(f"it is over {MAX_SIGNATURE_BYTES} bytes")
    if not data.startswith(PNG_MAGIC):
        raise bad("it is not a PNG image")
    pos, chunks, idat = len(PNG_MAGIC), [], bytearray()
    header: tuple[int, ...] | None = None
    while pos < len(data):
        if pos + 12 > len(data):
            raise bad("it is truncated")
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        crc_at = pos + 8 + length
        if len(body) != length or crc_at + 4 > len(data):
            raise bad("it is truncated")
        (crc,) = struct.unpack(">I", data[crc_at : crc_at + 4])
        if zlib.crc32(kind + body) != crc:
            raise bad("it is damaged")
        chunks.append(kind)
        if kind == b"IHDR" and length == 13:
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos = crc_at + 4
        if kind == b"IEND":
            break
    if not chunks or chunks[0] != b"IHDR" or header is None or chunks[-1] != b"IEND":
        raise bad("it is not a complete PNG image")
    if pos != len(data):
        raise bad("it has data after its end")
    width, height, depth, colour, _comp, _filter, interlace = header
    if colour not in _CHANNELS or depth not in (1, 2, 4, 8, 16) or interlace != 0:
        raise bad("its pixel format is not supported")
    if not (1 <= width <= MAX_SIGNATURE_SIDE and 1 <= height <= MAX_SIGNATURE_SIDE):
        raise bad(f"it must be at most {MAX_SIGNATURE_SIDE} pixels on each side")
    row = (width * _CHANNELS[colour] * depth + 7) // 8
    expected = height * (row + 1)
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(bytes(idat), expected + 1)
    except zlib.error:
        raise bad("its image data is damaged") from None
    if len(raw) != expected or not inflater.eof:
        raise bad("its image data does not match its size")
    return width, height
