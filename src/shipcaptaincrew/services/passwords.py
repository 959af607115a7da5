"""Password hashing (argon2id) and the password policy.

The policy: at least ``MIN_PASSWORD`` characters (domain/accounts.py), and not a commonly
used or easily guessed password. The second check uses zxcvbn, which ships its own lists
(the 30,000 most common passwords of the Xato leak corpus, English words, names) and
scores patterns built on them (``password1234``, ``qwertyuiop``, repeats, dates): a
password scoring under 3 of 4 is refused. Everything is bundled with the install, so
nothing goes over the network when a password is set.
"""

from __future__ import annotations

import functools

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from ..domain.accounts import check_password_length
from ..domain.errors import Invalid

# RFC 9106's second recommendation (argon2id, 64 MiB, 3 passes, 4 lanes): argon2-cffi's default.
PARAMETERS = profiles.RFC_9106_LOW_MEMORY
_hasher = PasswordHasher.from_parameters(PARAMETERS)
MIN_SCORE = 3
_ZXCVBN_MAX = 72  # zxcvbn refuses longer input; past that length a password is not weak


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches; a malformed hash never does."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def dummy_hash() -> str:
    """A real hash to verify against when the email is unknown, so both paths cost the
    same. Made on first use: hashing at import would slow every cold start."""
    return _hasher.hash("not-a-real-password")


def check_password(password: str, *, email: str = "", name: str = "") -> None:
    """Refuse (``Invalid``, naming the field) a password that is too short, commonly used
    or easy to guess, including one built from the member's own name or email."""
    check_password_length(password)
    from zxcvbn import zxcvbn  # its lists load on first use, not on every cold start

    inputs = [v for v in (email, email.partition("@")[0], *name.split()) if v]
    result = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=inputs)
    if result["score"] < MIN_SCORE:
        why = result["feedback"].get("warning") or "It would be easy to guess."
        raise Invalid(
            f"This password is too common or too easy to guess. {why} "
            "Try a few unrelated words, or a longer phrase.",
            {"field": "password"},
        )
