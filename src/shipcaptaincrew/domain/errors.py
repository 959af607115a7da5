"""Domain errors. The web layer maps each to one HTTP status in one place.

DomainError
 +-- Invalid          the request breaks a rule (422)
 +-- NotFound         the thing asked for does not exist (404)
 +-- Conflict         the state does not allow it (409), e.g. a duplicate payment
 |    +-- StaleWrite  someone else changed the record first; the caller may retry
 +-- Unauthenticated  no valid credentials (401)
 +-- Forbidden        credentials are valid but the role is not allowed (403)
 +-- TooManyAttempts  throttled (429)
 +-- BadSignature     a provider's webhook whose signature does not verify (400)
 +-- ProviderFailed   a payment provider refused or could not be reached (502)
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class Invalid(DomainError):
    code = "invalid"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class StaleWrite(Conflict):
    code = "stale_write"


class DuplicateKey(Conflict):
    """A unique key (idempotency key, email) is already taken."""

    code = "duplicate"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class Forbidden(DomainError):
    code = "forbidden"


class TooManyAttempts(DomainError):
    code = "too_many_attempts"

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message, {"retry_after_s": retry_after_s})
        self.retry_after_s = retry_after_s


class BadSignature(DomainError):
    code = "bad_signature"


class ProviderFailed(DomainError):
    code = "provider_failed"
