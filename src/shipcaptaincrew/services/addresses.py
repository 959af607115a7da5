"""Email addresses as they enter, from the API, the console, CSV import and the CLI: one
address, checked with email-validator (no network lookup), lower-cased. A list such as
``a@b.example,evil@attacker.example``, or an address with CR/LF, U+2028 or U+0085, is
refused: the guest link is the patron's only credential and must reach them alone."""

from __future__ import annotations

from ..domain.errors import Invalid

MAX_EMAIL = 254


def normalise_email(value: str, field: str = "email") -> str:
    """The address, normalised and lower-cased, or Invalid with a clear message."""
    from email_validator import EmailNotValidError, validate_email

    text = value.strip(" ")  # a stray space from a form; any other white space is refused
    if len(text) > MAX_EMAIL:
        raise Invalid("That email address is too long.", {field: text[:64]})
    try:
        # No DNS lookup; *.test stays allowed (the demo organisation's addresses use it).
        checked = validate_email(text, check_deliverability=False, test_environment=True)
    except EmailNotValidError as err:
        raise Invalid(f"That email address does not look right. {err}", {field: text}) from None
    return checked.normalized.lower()
