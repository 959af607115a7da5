"""Waiver rules: text hashing, PNG checks, guardians."""

import hashlib
import struct
import zlib

import pytest

from shipcaptaincrew.domain.errors import Invalid
from shipcaptaincrew.domain.waivers import (
    MAX_SIGNATURE_BYTES,
    check_guardian,
    check_person_name,
    check_signature_png,
    check_template,
    normalize_text,
    text_sha256,
)
from tests.waiver_factories import png


def test_text_is_normalised_and_hashed_as_utf8() -> None:
    assert normalize_text("  a\r\nb\rc \n") == "a\nb\nc"
    assert text_sha256("Zoë") == hashlib.sha256("Zoë".encode()).hexdigest()
    assert check_template(" Std ", "x\r\ny") == ("Std", "x\ny")
    with pytest.raises(Invalid):
        check_template("", "text")
    with pytest.raises(Invalid):
        check_template("Std", "   ")


def test_valid_png_gives_its_size() -> None:
    assert check_signature_png(png(60, 20)) == (60, 20)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "empty"),
        (b"GIF89a" + b"\x00" * 40, "not a PNG"),
        (png()[:-6], "truncated"),
        (png() + b"extra", "data after its end"),
        (b"\x00" * (MAX_SIGNATURE_BYTES + 1), "over"),
    ],
)
def test_bad_png_is_refused(data: bytes, why: str) -> None:
    with pytest.raises(Invalid) as err:
        check_signature_png(data)
    assert why in err.value.message
    assert err.value.details == {"field": "signature"}


def test_png_with_wrong_crc_or_short_data_is_refused() -> None:
    good = png()
    damaged = bytearray(good)
    damaged[40] ^= 0xFF  # inside the IDAT body: its CRC no longer matches
    with pytest.raises(Invalid, match="damaged"):
        check_signature_png(bytes(damaged))
    ihdr = struct.pack(">IIBBBBB", 60, 20, 8, 0, 0, 0, 0)
    body = zlib.compress(b"\x00" * 10)  # far fewer bytes than 20 rows of 61

    def chunk(kind: bytes, b: bytes) -> bytes:
        return struct.pack(">I", len(b)) + kind + b + struct.pack(">I", zlib.crc32(kind + b))

    short = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    with pytest.raises(Invalid, match="does not match its size"):
        check_signature_png(short)


def test_guardian_required_only_for_minor() -> None:
    assert check_guardian(False, "ignored", "") == (None, None)
    assert check_guardian(True, " Sam  Doe ", "Parent") == ("Sam Doe", "Parent")
    with pytest.raises(Invalid) as err:
        check_guardian(True, "Sam", "")
    assert err.value.details == {"field": "guardian_relationship"}
    with pytest.raises(Invalid):
        check_person_name("bad\x00name", "signer_name")
