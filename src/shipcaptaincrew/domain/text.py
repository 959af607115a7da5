"""Names and titles as people type them: one line, NFC, no invisible tricks.

Every name and title that enters (patrons, crew, signers, guardians, events, places,
waiver templates) goes through ``clean_line``: it is normalised to NFC and refused with a
clear message when it holds a control character (NUL, newlines, tabs, U+0085), a line or
paragraph separator, a bidirectional override or isolate (which can make "Ann" display as
another name), or a zero-width space. Zero-width joiners (U+200C, U+200D) stay allowed:
Persian, Indic and emoji spellings need them.
"""

from __future__ import annotations

import unicodedata

from .errors import Invalid

# Bidirectional controls, zero-width spaces, the word joiner and the byte-order mark.
_INVISIBLE = {
    0x061C, 0x200B, 0x200E, 0x200F, 0x2060, 0xFEFF,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
}  # fmt: skip
_REFUSED_CATEGORIES = {"Cc", "Zl", "Zp", "Cs", "Co", "Cn"}


def bad_character(value: str) -> str | None:
    """The first character a name must not hold, as U+XXXX, or None."""
    for ch in value:
        if ord(ch) in _INVISIBLE or unicodedata.category(ch) in _REFUSED_CATEGORIES:
            return f"U+{ord(ch):04X}"
    return None


def clean_line(value: str, field: str, *, limit: int, required: bool = True) -> str:
    """``value`` as NFC with its outer spaces removed, or Invalid (empty when required,
    longer than ``limit``, or holding a refused character)."""
    value = unicodedata.normalize("NFC", value).strip()
    bad = bad_character(value)
    if bad is not None:
        raise Invalid(
            f"The {field.replace('_', ' ')} contains a character that cannot be used "
            f"({bad}): type it on one line, without control or direction characters.",
            {"field": field, "character": bad},
        )
    if required and not value:
        raise Invalid(f"The {field.replace('_', ' ')} is required.", {"field": field})
    if len(value) > limit:
        raise Invalid(
            f"The {field.replace('_', ' ')} is longer than {limit} characters.",
            {"field": field, "length": len(value)},
        )
    return value
