"""Settings, read from ``SCC_*`` environment variables when ``Settings.from_env`` is called."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it (never its value)."""


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number") from None


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false")


SMTP_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


def _smtp(env: Mapping[str, str]) -> dict[str, Any]:
    security = (env.get("SCC_SMTP_SECURITY") or "starttls").lower()
    if security not in SMTP_PORTS:
        raise SettingsError("SCC_SMTP_SECURITY must be starttls, ssl or none")
    return {
        "smtp_host": env.get("SCC_SMTP_HOST") or "",
        "smtp_port": _int(env, "SCC_SMTP_PORT", SMTP_PORTS[security]),
        "smtp_username": env.get("SCC_SMTP_USERNAME") or "",
        "smtp_password": env.get("SCC_SMTP_PASSWORD") or "",
        "smtp_security": security,
        "smtp_timeout": _int(env, "SCC_SMTP_TIMEOUT", 20),
        "smtp_ca_file": env.get("SCC_SMTP_CA_FILE") or "",
    }


def _local_secret(var_dir: Path) -> str:
    """A secret key kept in var/ for local runs, made on first use."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
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
    cookie_secure: bool = False
    max_body_bytes: int = 256 * 1024
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
    receipt_font: str = ""  # a .ttf for receipts; empty: built-in Helvetica (Windows-1252)
    extra: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        var_dir = Path(env.get("SCC_VAR_DIR") or "var").absolute()
        database_url = env.get("SCC_DATABASE_URL") or f"sqlite:///{var_dir / 'scc.db'}"
        secret = env.get("SCC_SECRET_KEY") or _local_secret(var_dir)
        if len(secret) < 16:
            raise SettingsError("SCC_SECRET_KEY must be at least 16 characters")
        timezone = env.get("SCC_TIMEZONE") or "UTC"
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError("SCC_TIMEZONE is not a known time zone") from None
        currency = (env.get("SCC_CURRENCY") or "USD").upper()
        from .domain.money import CURRENCIES

        if currency not in CURRENCIES:
            raise SettingsError("SCC_CURRENCY is not a known currency code")
        host = env.get("SCC_HOST") or "127.0.0.1"
        port = _int(env, "SCC_PORT", 8000)
        public = env.get("SCC_PUBLIC_URL") or f"http://{host}:{port}"
        return cls(
            database_url=database_url,
            secret_key=secret,
            org_name=env.get("SCC_ORG_NAME") or "ShipCaptainCrew Demo Co.",
            currency=currency,
            timezone=timezone,
            host=host,
            port=port,
            public_url=public.rstrip("/"),
            var_dir=var_dir,
            session_hours=_int(env, "SCC_SESSION_HOURS", 12),
            cookie_secure=(env.get("SCC_COOKIE_SECURE") or "").lower() in ("1", "true", "yes")
            or public.startswith("https://"),
            max_body_bytes=_int(env, "SCC_MAX_BODY_BYTES", 256 * 1024),
            mail_backend=(env.get("SCC_MAIL_BACKEND") or "console").lower(),
            mail_from=env.get("SCC_MAIL_FROM") or "ShipCaptainCrew <no-reply@example.org>",
            mail_reply_to=env.get("SCC_MAIL_REPLY_TO") or "",
            mail_after_commit=_bool(env, "SCC_MAIL_AFTER_COMMIT", True),
            **_smtp(env),
            gmail_service_account_json=env.get("SCC_GMAIL_SERVICE_ACCOUNT_JSON") or "",
            gmail_sender=env.get("SCC_GMAIL_SENDER") or "",
            gmail_api_url=(env.get("SCC_GMAIL_API_URL") or "https://gmail.googleapis.com").rstrip(
                "/"
            ),
            gmail_token_url=env.get("SCC_GMAIL_TOKEN_URL") or "",
            receipt_font=env.get("SCC_RECEIPT_FONT") or "",
            extra={k: v for k, v in env.items() if k.startswith("SCC_")},
        )
