"""Settings, read from ``SCC_*`` environment variables when ``Settings.from_env`` is called."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it (never its value)."""


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false (1/0, yes/no, on/off)")


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    value = (env.get(name) or choices[0]).strip().lower()
    if value not in choices:
        raise SettingsError(f"{name} must be {', '.join(choices[:-1])} or {choices[-1]}")
    return value


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    """An http(s) URL with a host and no query or fragment, without its trailing slash."""
    raw = (env.get(name) or default).strip()
    if not raw:
        return ""
    parts = urlsplit(raw)
    try:
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        parts = parts._replace(netloc="")
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise SettingsError(
            f"{name} must be an http:// or https:// URL with a host, like {default or 'https://host'}"
        )
    return raw.rstrip("/")


def _address(env: Mapping[str, str], name: str, default: str) -> str:
    raw = (env.get(name) or default).strip()
    if not raw:
        return ""
    addr = parseaddr(raw)[1]
    local, at, domain = addr.rpartition("@")
    if not (at and local and "." in domain) or any(c in raw for c in "\r\n,;"):
        raise SettingsError(f"{name} must be one email address, like Name <boats@example.org>")
    return raw


def _file(env: Mapping[str, str], name: str) -> str:
    path = (env.get(name) or "").strip()
    if path and not Path(path).is_file():
        raise SettingsError(f"{name} must be the path of a readable file")
    return path


SMTP_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
DATABASE_SCHEMES = ("sqlite:///", "postgresql://", "postgresql+psycopg://", "dynamodb://")


def _smtp(env: Mapping[str, str]) -> dict[str, Any]:
    security = _choice(env, "SCC_SMTP_SECURITY", tuple(SMTP_PORTS))
    return {
        "smtp_host": (env.get("SCC_SMTP_HOST") or "").strip(),
        "smtp_port": _int(env, "SCC_SMTP_PORT", SMTP_PORTS[security], 1, 65535),
        "smtp_username": env.get("SCC_SMTP_USERNAME") or "",
        "smtp_password": env.get("SCC_SMTP_PASSWORD") or "",
        "smtp_security": security,
        "smtp_timeout": _int(env, "SCC_SMTP_TIMEOUT", 20, 1, 300),
        "smtp_ca_file": _file(env, "SCC_SMTP_CA_FILE"),
    }


def _mail(env: Mapping[str, str]) -> dict[str, Any]:
    return {
        "mail_backend": _choice(env, "SCC_MAIL_BACKEND", ("console", "smtp", "gmail")),
        "mail_from": _address(env, "SCC_MAIL_FROM", "ShipCaptainCrew <no-reply@example.org>"),
        "mail_reply_to": _address(env, "SCC_MAIL_REPLY_TO", ""),
        "mail_after_commit": _bool(env, "SCC_MAIL_AFTER_COMMIT", True),
        **_smtp(env),
        "gmail_service_account_json": env.get("SCC_GMAIL_SERVICE_ACCOUNT_JSON") or "",
        "gmail_sender": _address(env, "SCC_GMAIL_SENDER", ""),
        "gmail_api_url": _url(env, "SCC_GMAIL_API_URL", "https://gmail.googleapis.com"),
        "gmail_token_url": _url(env, "SCC_GMAIL_TOKEN_URL", ""),
    }


def _providers(env: Mapping[str, str]) -> dict[str, Any]:
    """Stripe and PayPal: both optional; a half-configured provider is named."""
    stripe_key = (env.get("SCC_STRIPE_SECRET_KEY") or "").strip()
    stripe_hook = (env.get("SCC_STRIPE_WEBHOOK_SECRET") or "").strip()
    if stripe_key and not stripe_key.startswith(("sk_", "rk_")):
        raise SettingsError("SCC_STRIPE_SECRET_KEY must be a Stripe secret key (sk_... or rk_...)")
    if stripe_key and not stripe_hook.startswith("whsec_"):
        raise SettingsError("SCC_STRIPE_WEBHOOK_SECRET (whsec_...) is required with a Stripe key")
    paypal = {
        "paypal_client_id": (env.get("SCC_PAYPAL_CLIENT_ID") or "").strip(),
        "paypal_client_secret": (env.get("SCC_PAYPAL_CLIENT_SECRET") or "").strip(),
        "paypal_webhook_id": (env.get("SCC_PAYPAL_WEBHOOK_ID") or "").strip(),
    }
    if any(paypal.values()) and not all(paypal.values()):
        missing = [k for k, v in paypal.items() if not v]
        raise SettingsError(f"SCC_{missing[0].upper()} is required with the other PayPal settings")
    return {
        "stripe_secret_key": stripe_key,
        "stripe_webhook_secret": stripe_hook,
        "stripe_api_url": _url(env, "SCC_STRIPE_API_URL", "https://api.stripe.com"),
        **paypal,
        "paypal_api_url": _url(env, "SCC_PAYPAL_API_URL", "https://api-m.paypal.com"),
    }


def private_dir(path: Path) -> None:
    """Make the folder ``path`` (and its parents) if missing; one this makes is 0700."""
    if not path.is_dir():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.chmod(0o700)  # mkdir's mode passes through the umask; this does not


def _local_secret(var_dir: Path) -> str:
    """A secret key kept in var/ for local runs, made on first use."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    private_dir(var_dir)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str = field(repr=False)
    org_name: str = "ShipCaptainCrew Demo Co."
    currency: str = "USD"
    timezone: str = "UTC"
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = "http://127.0.0.1:8000"
    var_dir: Path = Path("var")
    session_hours: int = 12
    offline_window_hours: int = 24  # how old an action taken offline (occurred_at) may be
    live_stream: bool = True  # Server-Sent Events for live sync (off on Lambda: phones poll)
    cookie_secure: bool = False
    max_body_bytes: int = 256 * 1024
    roster_cache_events: int = 8  # rosters kept per process while unchanged (0: none)
    trust_proxy: bool = False  # behind one reverse proxy: the last X-Forwarded-For hop
    origin_secret: str = field(default="", repr=False)  # CloudFront's X-Origin-Verify value
    log_format: str = "text"  # text or json
    mail_backend: str = "console"
    mail_from: str = "ShipCaptainCrew <no-reply@example.org>"
    mail_reply_to: str = ""
    mail_after_commit: bool = True  # deliver in-process after each change (off on Lambda)
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_security: str = "starttls"  # starttls, ssl or none
    smtp_timeout: int = 20
    smtp_ca_file: str = ""  # extra CA bundle for a mail server with a private certificate
    gmail_service_account_json: str = field(default="", repr=False)
    gmail_sender: str = ""
    gmail_api_url: str = "https://gmail.googleapis.com"
    gmail_token_url: str = ""  # empty: the token_uri in the service account key
    stripe_secret_key: str = field(default="", repr=False)
    stripe_webhook_secret: str = field(default="", repr=False)
    stripe_api_url: str = "https://api.stripe.com"
    paypal_client_id: str = ""
    paypal_client_secret: str = field(default="", repr=False)
    paypal_webhook_id: str = ""
    paypal_api_url: str = "https://api-m.paypal.com"  # sandbox: https://api-m.sandbox.paypal.com
    receipt_font: str = ""  # a .ttf for scripts beyond the bundled DejaVu Sans (CJK, Arabic...)
    reminder_offsets: tuple[int, ...] = (48 * 60, 3 * 60)  # minutes before an event's start

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def https(self) -> bool:
        """Served to the public over TLS: cookies are Secure and responses carry HSTS."""
        return self.public_url.startswith("https://")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Every setting read and checked now; the first bad one raises SettingsError with
        one line naming the variable and what it may be (never its value)."""
        env = os.environ if env is None else env
        var_dir = Path(env.get("SCC_VAR_DIR") or "var").absolute()
        database_url = env.get("SCC_DATABASE_URL") or f"sqlite:///{var_dir / 'scc.db'}"
        if not database_url.startswith(DATABASE_SCHEMES):
            raise SettingsError(
                "SCC_DATABASE_URL must start with sqlite:///, postgresql:// or dynamodb://"
            )
        timezone = env.get("SCC_TIMEZONE") or "UTC"
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError("SCC_TIMEZONE must be a time zone name like Europe/Oslo") from None
        currency = (env.get("SCC_CURRENCY") or "USD").upper()
        from .domain.money import CURRENCIES

        if currency not in CURRENCIES:
            raise SettingsError("SCC_CURRENCY must be an ISO 4217 currency code like USD")
        host = (env.get("SCC_HOST") or "127.0.0.1").strip()
        if any(c.isspace() or c in "/@" for c in host):
            raise SettingsError("SCC_HOST must be an address or host name like 0.0.0.0")
        port = _int(env, "SCC_PORT", 8000, 1, 65535)
        public = _url(
            env, "SCC_PUBLIC_URL", f"http://{f'[{host}]' if ':' in host else host}:{port}"
        )
        origin_secret = env.get("SCC_ORIGIN_SECRET") or ""
        if origin_secret and len(origin_secret) < 16:
            raise SettingsError("SCC_ORIGIN_SECRET must be at least 16 characters when set")
        mail = _mail(env)
        secret = env.get("SCC_SECRET_KEY") or _local_secret(var_dir)
        if len(secret) < 16:
            raise SettingsError("SCC_SECRET_KEY must be at least 16 characters")
        return cls(
            database_url=database_url,
            secret_key=secret,
            org_name=env.get("SCC_ORG_NAME") or "ShipCaptainCrew Demo Co.",
            currency=currency,
            timezone=timezone,
            host=host,
            port=port,
            public_url=public,
            var_dir=var_dir,
            session_hours=_int(env, "SCC_SESSION_HOURS", 12, 1, 168),
            offline_window_hours=_int(env, "SCC_OFFLINE_WINDOW_HOURS", 24, 1, 168),
            live_stream=_bool(env, "SCC_LIVE_STREAM", True),
            cookie_secure=_bool(env, "SCC_COOKIE_SECURE", False) or public.startswith("https://"),
            max_body_bytes=_int(env, "SCC_MAX_BODY_BYTES", 256 * 1024, 1024, 64 * 1024 * 1024),
            roster_cache_events=_int(env, "SCC_ROSTER_CACHE_EVENTS", 8, 0, 1000),
            trust_proxy=_bool(env, "SCC_TRUST_PROXY", False),
            origin_secret=origin_secret,
            log_format=_choice(env, "SCC_LOG_FORMAT", ("text", "json")),
            **mail,
            receipt_font=_file(env, "SCC_RECEIPT_FONT"),
            **_providers(env),
            reminder_offsets=_reminder_offsets(env),
        )


def _reminder_offsets(env: Mapping[str, str]) -> tuple[int, ...]:
    """SCC_REMINDER_OFFSETS: minutes before each event's start, from ``48h,3h`` ("off": none)."""
    from .domain.errors import Invalid
    from .domain.reminders import DEFAULT_OFFSETS, parse_offsets

    text = (env.get("SCC_REMINDER_OFFSETS") or DEFAULT_OFFSETS).strip()
    if text.lower() in ("off", "none"):
        return ()
    try:
        return parse_offsets(text)
    except Invalid:
        raise SettingsError(
            "SCC_REMINDER_OFFSETS must be times before the start like 48h,3h (whole m, h or d, "
            "at most 30 days, up to six), or off"
        ) from None
