"""Settings, read from ``SCC_*`` environment variables when ``Settings.from_env`` is called."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
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
            mail_backend=env.get("SCC_MAIL_BACKEND") or "console",
            mail_from=env.get("SCC_MAIL_FROM") or "ShipCaptainCrew <no-reply@example.org>",
            mail_reply_to=env.get("SCC_MAIL_REPLY_TO") or "",
            extra={k: v for k, v in env.items() if k.startswith("SCC_")},
        )
